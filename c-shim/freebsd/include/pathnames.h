/*
 * File names today's dump uses.  <paths.h> gives _PATH_TTY, _PATH_DEV
 * and the like on both Linux and the BSDs.
 */
#ifndef _DUMP_PATHNAMES_H_
#define	_DUMP_PATHNAMES_H_

#include <paths.h>

#define	_PATH_DEFTAPE	"/dev/sa0"	/* FreeBSD's first SCSI tape */
#define	_PATH_DTMP	"/etc/dtmp"
#define	_PATH_DUMPDATES	"/etc/dumpdates"
#define	_PATH_LOCK	"/tmp/dumplockXXXXXX"
#define	_PATH_RMT	"/etc/rmt"	/* remote tape server */
#define	_PATH_MKSNAP_FFS "/sbin/mksnap_ffs"

#ifndef _PATH_TTY
#define	_PATH_TTY	"/dev/tty"
#endif
#ifndef _PATH_DEV
#define	_PATH_DEV	"/dev/"
#endif

#endif /* !_DUMP_PATHNAMES_H_ */
