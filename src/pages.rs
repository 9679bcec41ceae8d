//! Memory mapped in whole pages: private pages for the lists' header
//! records, and the mapping a volume's ring shares between its processes.
//! A mapping is made zero-filled by the system, and a page costs nothing
//! until it is written.

use std::num::NonZeroUsize;
use std::ptr::NonNull;

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

/// The system's page size.
pub fn page_size() -> usize {
    match nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE) {
        Ok(Some(n)) if n > 0 => n as usize,
        _ => 4096,
    }
}

/// `n` rounded up to a multiple of `to`, if it fits.
pub fn round_up(n: usize, to: usize) -> Option<usize> {
    n.checked_add(to - 1).map(|v| v / to * to)
}

/// An anonymous mapping of `len` bytes, its own (MAP_PRIVATE: a child
/// forked meanwhile gets a copy of what was written) or shared with the
/// children forked later (MAP_SHARED).
pub struct Mapping {
    base: NonNull<u8>,
    len: usize,
}

impl Mapping {
    pub fn new(len: usize, shared: bool) -> nix::Result<Mapping> {
        let sharing = if shared {
            MapFlags::MAP_SHARED
        } else {
            MapFlags::MAP_PRIVATE
        };
        let size = NonZeroUsize::new(len).ok_or(nix::errno::Errno::EINVAL)?;
        // SAFETY: a fresh anonymous mapping placed by the kernel: nothing
        // else refers to that memory, and `Drop` unmaps it.
        #[allow(unsafe_code)]
        let p = unsafe {
            mmap_anonymous(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                sharing,
            )?
        };
        Ok(Mapping {
            base: p.cast(),
            len,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn base(&self) -> NonNull<u8> {
        self.base
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is `len` bytes long and lives as long as
        // self.  A shared mapping is read this way only where the ring's
        // protocol gives this process the bytes (see ring::shm).
        #[allow(unsafe_code)]
        unsafe {
            std::slice::from_raw_parts(self.base.as_ptr(), self.len)
        }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in bytes(), and &mut self makes this borrow unique.
        #[allow(unsafe_code)]
        unsafe {
            std::slice::from_raw_parts_mut(self.base.as_ptr(), self.len)
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in new(); no borrow of
        // it outlives self.
        #[allow(unsafe_code)]
        let _ = unsafe { munmap(self.base.cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_zero_and_private() {
        let mut p = Mapping::new(3 * 4096, false).unwrap();
        assert!(p.bytes().iter().all(|&b| b == 0));
        p.bytes_mut()[5000] = 9;
        assert_eq!(p.bytes()[5000], 9);
        assert_eq!(p.len(), 3 * 4096);
        assert!(Mapping::new(0, false).is_err());
    }

    #[test]
    fn rounding() {
        assert_eq!(round_up(0, 4096), Some(0));
        assert_eq!(round_up(1, 4096), Some(4096));
        assert_eq!(round_up(4096, 4096), Some(4096));
        assert_eq!(round_up(usize::MAX, 4096), None);
    }
}
