//! The C boundary: the only code that touches C.  `exports` defines
//! every function and global tape.c defines, with tape.c's C types, and
//! nothing else; `imports` binds what the rest of dump defines and wraps
//! it as the core's `Host`.  Both only translate: the work is the core's.

mod exports;
mod imports;
