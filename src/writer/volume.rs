//! Volumes: each one opened behind a checkpoint process, closed and
//! changed for the next (tape.c's startnewtape, enslave, trewind and
//! close_rewind).

use nix::errno::Errno;
use nix::sys::wait::WaitStatus;
use nix::unistd::{ForkResult, Pid, getpid};

use super::{Proc, TapeWriter};
use crate::format::{DR_NEWHEADER, Field, Layout, TS_END, TS_TAPE};
use crate::host::{Flavour, Host};
use crate::output::{OpenError, Output};
use crate::process::{X_ABORT, X_FINOK, X_REWRITE};
use crate::ring::{self, Plan, Ring, SLAVES};
use crate::signals::{self, Pending};

/// Why a volume is being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    /// The dump is over (dump's main calls trewind).
    EndOfDump,
    /// Another volume follows.
    Change,
}

/// Seconds since the epoch, as time(3) gives them.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(-1, |d| d.as_secs() as i64)
}

impl<H: Host> TapeWriter<H> {
    /// Whether the volume is full by size (-B records, or length and
    /// density).
    pub(crate) fn full(&self) -> bool {
        let s = self.host.settings();
        if s.pipeout || s.unlimited {
            return false;
        }
        if s.blocksperfile != 0 {
            self.blocksthisvol.get() >= s.blocksperfile
        } else {
            self.host.asize() > s.tsize
        }
    }

    /// Drain the ring, end the slaves, close the volume and rewind it
    /// (tape.c's trewind, which dump calls once its last records are
    /// written).
    pub fn trewind(&self) {
        self.close_volume_for(Closing::EndOfDump);
    }

    /// Drain the ring, end the slaves, close the volume and rewind it.
    ///
    /// tape.c gave up when a list still in flight here came back short
    /// ("EOT detected in last 2 tape records!").  Here those lists go onto
    /// the next volume like at any other end of medium.  Returns whether
    /// that happened: the next volume is then open and in use.
    fn close_volume_for(&self, why: Closing) -> bool {
        let mut rolled = false;
        while let Some((failed, m)) = self.drain_in_order() {
            self.host.msg(b"End of tape detected\n");
            if self.whole_before(failed) {
                self.finish_on_this_volume();
                return true;
            }
            self.close_volume();
            self.change_volumes();
            let kept = self.trecno.get();
            self.replay(failed, m, kept);
            rolled = true;
            if why == Closing::Change {
                return true;
            }
            // The dump is over but the carried record still waits in a
            // list that is not full: pad it with end-of-dump headers, as
            // dump's own trailer does, until it goes out.
            while self.trecno.get() != 0 {
                if self.host.header(Field::Type) != i64::from(TS_END) {
                    self.host.msg(b"EOT detected in last 2 tape records!\n");
                    self.host
                        .msg(b"Use a longer tape, decrease the size estimate\n");
                    self.host.quit(b"or use no size estimate at all.\n");
                }
                let ino = self.host.header(Field::Inumber) as u32;
                self.writeheader(u64::from(ino));
            }
        }
        self.close_volume();
        rolled
    }

    /// End the ring and close the volume's output.
    pub(crate) fn close_volume(&self) {
        if let Some(ring) = self.ring_mut().take() {
            ring.close();
        }
        self.reap();
        self.close_output();
    }

    /// Close the volume's output and rewind it, once.
    fn close_output(&self) {
        let Ok(mut output) = self.output.try_borrow_mut() else {
            return;
        };
        let out = std::mem::take(&mut *output);
        drop(output);
        if !out.is_open() || self.host.settings().pipeout {
            return;
        }
        let mut m = b"Closing ".to_vec();
        m.extend(self.host.tape_name());
        m.push(b'\n');
        self.host.msg(&m);
        out.close_and_rewind(&self.host, self.writesize.get());
    }

    /// Wait for this volume's slaves (and only them: the rest of dump may
    /// have children of its own, such as an rmt connection).
    pub(crate) fn reap(&self) {
        for p in &self.procs {
            let pid = p.get().pid;
            if pid > 0 {
                while let Err(Errno::EINTR) = nix::sys::wait::waitpid(Pid::from_raw(pid), None) {}
            }
            p.set(Proc { pid: 0, fd: -1 });
        }
        self.forget_sent();
    }

    /// The rest of dump gives the volume in progress up (tape.c's
    /// close_rewind as dump calls it): its sig() calls this on a hangup
    /// (and the like) from inside whatever the writer was doing, then
    /// exits X_REWRITE, and the volume's checkpoint writes the whole
    /// volume again.  So what the ring still holds need not be drained,
    /// nor rolled forward when it met the end of the medium: the slaves
    /// are stopped, the output closed and rewound, and the operator asked
    /// for the next volume.  Nothing here borrows state that the
    /// interrupted code may hold.  A process with no checkpoint above it
    /// (before the first volume) has no volume to write again: that ends
    /// the dump.
    pub fn close_rewind(&self) {
        if !self.volume_process.get() {
            self.dumpabort();
        }
        self.killall();
        self.reap();
        self.close_output();
        self.change_volumes();
    }

    /// Close the volume and have the operator mount the next.  Returns
    /// whether the lists in flight were already replayed onto it.
    pub(crate) fn close_and_change(&self) -> bool {
        if self.close_volume_for(Closing::Change) {
            return true;
        }
        self.change_volumes();
        false
    }

    /// Ask for the next volume, unless a list of outputs names it.
    fn change_volumes(&self) {
        if self.host.more_tape_names() {
            return;
        }
        let start = now();
        if !self.nogripe.get() {
            self.host.msg(
                format!("Change Volumes: Mount volume #{}\n", self.host.tapeno() + 1).as_bytes(),
            );
            self.host.broadcast(c"CHANGE DUMP VOLUMES!\x07\x07\n");
        }
        while !self
            .host
            .query(c"Is the new volume mounted and ready to go?")
        {
            if self.host.query(c"Do you want to abort?") {
                self.dumpabort();
            }
        }
        let end = now();
        if start != -1 && end != -1 {
            self.host
                .set_tstart_writing(self.host.tstart_writing() + (end - start));
        }
    }

    /// Start a volume (tape.c's startnewtape).  The calling process stays
    /// behind as the volume's checkpoint: it waits for a child that does
    /// the work, and forks a fresh one from the same state whenever that
    /// child asks for the volume to be written again.  The call returns in
    /// the child, with the volume open and its TS_TAPE header written; a
    /// true `top` counts the volume in dump's newtape.
    pub fn startnewtape(&self, top: bool) {
        let signals = signals::Checkpoint::enter();
        let parent = getpid();
        self.make_lifeline(parent);
        loop {
            signals.before_fork();
            self.host.restore_proctitle();
            match crate::process::fork() {
                Err(_) => {
                    self.host
                        .msg(format!("Context save fork fails in parent {parent}\n").as_bytes());
                    self.exit(X_ABORT);
                }
                Ok(ForkResult::Parent { child }) => {
                    self.volume_process.set(false);
                    self.checkpoint_child.set(child.as_raw());
                    signals.waiting();
                    let status = self.checkpoint_wait(parent, child);
                    self.checkpoint_child.set(0);
                    match status {
                        X_FINOK => self.exit(X_FINOK),
                        X_ABORT => self.exit(X_ABORT),
                        X_REWRITE => continue,
                        other => {
                            self.host
                                .msg(format!("Bad return code from dump: {other}\n").as_bytes());
                            self.exit(X_ABORT);
                        }
                    }
                }
                Ok(ForkResult::Child) => break,
            }
        }
        self.child_of_checkpoint();
        self.volume_process.set(true);
        signals::clear();
        signals.in_volume();
        self.open_volume(top);
    }

    /// The checkpoint's wait for the child writing the volume; its exit
    /// status.  One killed by a signal did not finish its volume: that
    /// aborts the dump (tape.c took it for a success).  The 1998 tape.c
    /// waits for any child and says so when another one ends; today's
    /// waits for that child alone.
    fn checkpoint_wait(&self, parent: Pid, child: Pid) -> i32 {
        let only_child = self.host.flavour() == Flavour::FreeBsd;
        let status = loop {
            let got = if only_child {
                nix::sys::wait::waitpid(child, None)
            } else {
                nix::sys::wait::wait()
            };
            match got {
                Ok(st) if st.pid() == Some(child) => break st,
                Ok(st) => {
                    let other = st.pid().map_or(-1, Pid::as_raw);
                    self.host.msg(
                        format!(
                            "Parent {parent} waiting for child {child} has another child {other} return\n"
                        )
                        .as_bytes(),
                    );
                }
                Err(Errno::EINTR) => {
                    if signals::take() == Some(Pending::Abort) {
                        self.dumpabort();
                    }
                }
                // No child left to wait for: it is gone without a status.
                Err(e) => {
                    if only_child {
                        self.host.msg(
                            format!(
                                "Waiting for child {child}: {}\n",
                                crate::process::strerror(e)
                            )
                            .as_bytes(),
                        );
                    }
                    return X_ABORT;
                }
            }
        };
        match status {
            WaitStatus::Exited(_, code) => code & 0xff,
            WaitStatus::Signaled(_, sig, core) => {
                let lob = sig as i32 | if core { 0x80 } else { 0 };
                self.host
                    .msg(format!("Child {child} returns LOB status {lob:o}\n").as_bytes());
                X_ABORT
            }
            _ => X_ABORT,
        }
    }

    /// In the child: name and open the output, start the slaves, and write
    /// the volume's TS_TAPE header.
    fn open_volume(&self, top: bool) {
        let tapeno = self.host.tapeno() + 1;
        self.host.set_tapeno(tapeno);
        if self.host.next_tape_name() {
            let mut m = format!("Dumping volume {tapeno} on ").into_bytes();
            m.extend(self.host.tape_name());
            m.push(b'\n');
            self.host.msg(&m);
        }
        loop {
            match Output::open(&self.host) {
                Ok(out) => {
                    self.host.set_tapefd(out.raw_fd());
                    *self
                        .output
                        .try_borrow_mut()
                        .unwrap_or_else(|_| self.reentered()) = out;
                    break;
                }
                Err(OpenError::Fatal(why)) => {
                    self.host.msg(&why);
                    self.dumpabort();
                }
                Err(OpenError::Retry) => {
                    let mut m = b"Cannot open output \"".to_vec();
                    m.extend(self.host.tape_name());
                    m.extend(b"\".\n");
                    self.host.msg(&m);
                    if !self.host.query(c"Do you want to retry the open?") {
                        self.dumpabort();
                    }
                }
            }
        }
        self.enslave();
        self.host.volume_started();
        self.host.set_asize(0);
        self.blocksthisvol.set(0);
        if top {
            self.host.set_newtape(self.host.newtape() + 1);
        }
        let s = self.info(self.slp.get());
        self.volume_firstrec.set(s.firstrec);
        self.host.set_header(Field::Count, s.count);
        // Counted in TP_BSIZE records: restore does not know ntrec.
        self.host.set_header(Field::Firstrec, s.firstrec);
        self.host
            .set_header(Field::Volume, self.host.header(Field::Volume) + 1);
        self.host.set_header(Field::Type, i64::from(TS_TAPE));
        // The 4.4BSD layout marks a volume header whose dump has
        // c_firstrec; today's has it always.
        let marked = self.host.layout() == Layout::Bsd44;
        let flags = self.host.header(Field::Flags);
        if marked {
            self.host
                .set_header(Field::Flags, flags | i64::from(DR_NEWHEADER));
        }
        self.writeheader(s.inode);
        if marked {
            let flags = self.host.header(Field::Flags);
            self.host
                .set_header(Field::Flags, flags & !i64::from(DR_NEWHEADER));
        }
        if tapeno > 1 {
            self.host.msg(
                format!(
                    "Volume {tapeno} begins with blocks from inode {}\n",
                    s.inode
                )
                .as_bytes(),
            );
        }
    }

    /// Fork this volume's slaves, which share the open output.
    fn enslave(&self) {
        let me = getpid();
        self.master.set(me.as_raw());
        if self.nlists.get() == 0 {
            // Settled once: the lists in flight keep their slots for the
            // rest of the dump (standard output is one volume anyway).
            let deep = ring::depth(self.output().cannot_end(), self.writesize.get());
            self.nlists.set(SLAVES * deep);
        }
        self.forget_sent();
        let plan = Plan {
            first: self.slp.get(),
            slots: self.nlists(),
            ntrec: self.ntrec.get(),
            writesize: self.writesize.get(),
            master: me,
            word: self.word(),
        };
        let started = Ring::start(&plan, self, &mut |i, pid, fd| {
            self.procs[i].set(Proc {
                pid: pid.as_raw(),
                fd,
            })
        });
        self.master.set(0);
        match started {
            Ok(ring) => *self.ring_mut() = Some(ring),
            Err(e) => self.host.quit(
                format!(
                    "too many {}s, {} (recompile smaller): {}\n",
                    self.word(),
                    e.made,
                    crate::process::strerror(e.errno)
                )
                .as_bytes(),
            ),
        }
    }
}

/// What the ring's slaves do, through the writer and its host.
impl<H: Host> ring::Work for TapeWriter<H> {
    fn bread(&self, sector: i64, buf: &mut [u8]) {
        self.host.bread(sector, buf)
    }

    fn reopen_disk(&self) -> std::io::Result<()> {
        self.host.reopen_disk()
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.output().write(&self.host, buf)
    }

    fn pipe_errors_are_write_errors(&self) -> bool {
        self.host.settings().remote
    }

    fn quit(&self, text: &[u8]) -> ! {
        self.host.quit(text)
    }

    fn abort(&self) -> ! {
        self.dumpabort()
    }

    fn broken_pipe(&self) -> ! {
        self.sigpipe()
    }

    fn exit(&self, status: i32) -> ! {
        TapeWriter::exit(self, status)
    }
}
