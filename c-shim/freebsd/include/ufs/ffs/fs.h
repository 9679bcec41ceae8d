/*
 * The super block of today's FreeBSD file systems, UFS1 and UFS2 alike,
 * and the arithmetic dump does with it.
 *
 * The layout is the on-disk one, 1376 bytes, with every field at a fixed
 * width: the fields UFS1 had as 32-bit numbers keep their places under
 * fs_old_ names, and UFS2 reads the 64-bit ones further on.  The space
 * the kernel keeps pointers in is plain padding here, so that a 32-bit
 * host reads the same offsets.  tape.c itself reads only fs_fsbtodb.
 */
#ifndef _UFS_FFS_FS_H_
#define	_UFS_FFS_FS_H_

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <ufs/ufs/dinode.h>

#ifndef DEV_BSIZE
#define	DEV_BSIZE	512
#endif

/*
 * Where a super block may be, in bytes from the start of the partition:
 * UFS1 at 8 KB, UFS2 at 64 KB, either at 0 on tiny media, and at 256 KB
 * on some large ones.  Readers look in SBLOCKSEARCH's order.
 */
#define	SBLOCK_FLOPPY	0
#define	SBLOCK_UFS1	8192
#define	SBLOCK_UFS2	65536
#define	SBLOCK_PIGGY	262144
#define	SBLOCKSIZE	8192
#define	SBLOCKSEARCH \
	{ SBLOCK_UFS2, SBLOCK_UFS1, SBLOCK_FLOPPY, SBLOCK_PIGGY, -1 }

#define	MAXFRAG		8
#define	MINBSIZE	4096
#define	MAXMNTLEN	468
#define	MAXVOLLEN	32
#define	FSMAXSNAP	20
#define	NOCSP		(128 - 2 * 8)	/* pointer space, less two words */

/* Summary counts of a cylinder group. */
struct csum {
	int32_t	cs_ndir;		/* directories */
	int32_t	cs_nbfree;		/* free blocks */
	int32_t	cs_nifree;		/* free inodes */
	int32_t	cs_nffree;		/* free fragments */
};

/* The same for the whole file system, in 64 bits. */
struct csum_total {
	int64_t	cs_ndir;
	int64_t	cs_nbfree;
	int64_t	cs_nifree;
	int64_t	cs_nffree;
	int64_t	cs_numclusters;		/* free clusters */
	int64_t	cs_spare[3];
};

struct fs {
	int32_t	fs_firstfield;		/*    0: kernel list, once */
	int32_t	fs_unused_1;		/*    4 */
	int32_t	fs_sblkno;		/*    8: super block in a cg */
	int32_t	fs_cblkno;		/*   12: cg block in a cg */
	int32_t	fs_iblkno;		/*   16: inodes in a cg */
	int32_t	fs_dblkno;		/*   20: first data in a cg */
	int32_t	fs_old_cgoffset;	/*   24: UFS1: cg offset */
	int32_t	fs_old_cgmask;		/*   28: UFS1: its mask */
	int32_t	fs_old_time;		/*   32: UFS1: last written */
	int32_t	fs_old_size;		/*   36: UFS1: fragments */
	int32_t	fs_old_dsize;		/*   40: UFS1: data fragments */
	uint32_t fs_ncg;		/*   44: cylinder groups */
	int32_t	fs_bsize;		/*   48: block size */
	int32_t	fs_fsize;		/*   52: fragment size */
	int32_t	fs_frag;		/*   56: fragments per block */
	int32_t	fs_minfree;		/*   60: reserved percentage */
	int32_t	fs_old_rotdelay;	/*   64 */
	int32_t	fs_old_rps;		/*   68 */
	int32_t	fs_bmask;		/*   72: blkoff() mask */
	int32_t	fs_fmask;		/*   76: fragoff() mask */
	int32_t	fs_bshift;		/*   80: lblkno() shift */
	int32_t	fs_fshift;		/*   84: numfrags() shift */
	int32_t	fs_maxcontig;		/*   88 */
	int32_t	fs_maxbpg;		/*   92 */
	int32_t	fs_fragshift;		/*   96: blocks to fragments */
	int32_t	fs_fsbtodb;		/*  100: fragments to sectors */
	int32_t	fs_sbsize;		/*  104: bytes of super block used */
	int32_t	fs_spare1[2];		/*  108 */
	int32_t	fs_nindir;		/*  116: NINDIR() */
	uint32_t fs_inopb;		/*  120: INOPB() */
	int32_t	fs_old_nspf;		/*  124: UFS1: sectors per frag */
	int32_t	fs_optim;		/*  128: FS_OPTTIME, FS_OPTSPACE */
	int32_t	fs_old_npsect;		/*  132 */
	int32_t	fs_old_interleave;	/*  136 */
	int32_t	fs_old_trackskew;	/*  140 */
	int32_t	fs_id[2];		/*  144: file system id */
	int32_t	fs_old_csaddr;		/*  152: UFS1: cg summary */
	int32_t	fs_cssize;		/*  156: cg summary size */
	int32_t	fs_cgsize;		/*  160: cg block size */
	int32_t	fs_spare2;		/*  164 */
	int32_t	fs_old_nsect;		/*  168 */
	int32_t	fs_old_spc;		/*  172 */
	int32_t	fs_old_ncyl;		/*  176 */
	int32_t	fs_old_cpg;		/*  180 */
	uint32_t fs_ipg;		/*  184: inodes per group */
	int32_t	fs_fpg;			/*  188: fragments per group */
	struct	csum fs_old_cstotal;	/*  192 */
	int8_t	fs_fmod;		/*  208 */
	int8_t	fs_clean;		/*  209 */
	int8_t	fs_ronly;		/*  210 */
	int8_t	fs_old_flags;		/*  211 */
	uint8_t	fs_fsmnt[MAXMNTLEN];	/*  212: last mounted on */
	uint8_t	fs_volname[MAXVOLLEN];	/*  680 */
	uint64_t fs_swuid;		/*  712 */
	int32_t	fs_pad;			/*  720 */
	int32_t	fs_cgrotor;		/*  724 */
	uint64_t fs_align_pad1;		/*  728 */
	uint64_t fs_si;			/*  736: in-core pointer, 0 on disk */
	char	fs_align_pad2[NOCSP];	/*  744 */
	int32_t	fs_old_cpc;		/*  856 */
	int32_t	fs_maxbsize;		/*  860 */
	int64_t	fs_unrefs;		/*  864 */
	int64_t	fs_providersize;	/*  872 */
	int64_t	fs_metaspace;		/*  880 */
	uint64_t fs_save_maxfilesize;	/*  888 */
	int64_t	fs_sparecon64[12];	/*  896 */
	int64_t	fs_sblockactualloc;	/*  992: where this copy was read */
	int64_t	fs_sblockloc;		/* 1000: where the super block is */
	struct	csum_total fs_cstotal;	/* 1008 */
	ufs_time_t fs_time;		/* 1072: last written */
	int64_t	fs_size;		/* 1080: fragments */
	int64_t	fs_dsize;		/* 1088: data fragments */
	ufs2_daddr_t fs_csaddr;		/* 1096: cg summary */
	int64_t	fs_pendingblocks;	/* 1104 */
	uint32_t fs_pendinginodes;	/* 1112 */
	uint32_t fs_snapinum[FSMAXSNAP]; /* 1116 */
	uint32_t fs_avgfilesize;	/* 1196 */
	uint32_t fs_avgfpdir;		/* 1200 */
	uint32_t fs_available_spare;	/* 1204 */
	ufs_time_t fs_mtime;		/* 1208: last mount or fsck */
	int32_t	fs_sujfree;		/* 1216 */
	int32_t	fs_sparecon32[21];	/* 1220 */
	uint32_t fs_ckhash;		/* 1304: super block check hash */
	uint32_t fs_metackhash;		/* 1308: what else is hashed */
	int32_t	fs_flags;		/* 1312: FS_* flags */
	int32_t	fs_contigsumsize;	/* 1316 */
	int32_t	fs_maxsymlinklen;	/* 1320: longest target in an inode */
	int32_t	fs_old_inodefmt;	/* 1324: UFS1: FS_44INODEFMT */
	uint64_t fs_maxfilesize;	/* 1328 */
	int64_t	fs_qbmask;		/* 1336: ~fs_bmask */
	int64_t	fs_qfmask;		/* 1344: ~fs_fmask */
	int32_t	fs_state;		/* 1352 */
	int32_t	fs_old_postblformat;	/* 1356 */
	int32_t	fs_old_nrpos;		/* 1360 */
	int32_t	fs_spare5[2];		/* 1364 */
	int32_t	fs_magic;		/* 1372: FS_UFS1_MAGIC, FS_UFS2_MAGIC */
};

#define	FS_UFS1_MAGIC	0x011954
#ifndef FS_UFS2_MAGIC
#define	FS_UFS2_MAGIC	0x19540119	/* as in dumprestore.h */
#endif
#define	FS_BAD_MAGIC	0x19960408	/* newfs that did not finish */
#define	FS_42INODEFMT	-1
#define	FS_44INODEFMT	2
#define	FS_OPTTIME	0
#define	FS_OPTSPACE	1

/* fs_flags */
#define	FS_UNCLEAN	0x00000001
#define	FS_DOSOFTDEP	0x00000002	/* soft updates */
#define	FS_NEEDSFSCK	0x00000004
#define	FS_SUJ		0x00000008
#define	FS_METACKHASH	0x00000200

_Static_assert(sizeof(struct fs) == 1376, "struct fs is 1376 bytes");
_Static_assert(offsetof(struct fs, fs_sblkno) == 8, "fs_sblkno");
_Static_assert(offsetof(struct fs, fs_old_cgoffset) == 24, "fs_old_cgoffset");
_Static_assert(offsetof(struct fs, fs_old_size) == 36, "fs_old_size");
_Static_assert(offsetof(struct fs, fs_ncg) == 44, "fs_ncg");
_Static_assert(offsetof(struct fs, fs_bsize) == 48, "fs_bsize");
_Static_assert(offsetof(struct fs, fs_fragshift) == 96, "fs_fragshift");
_Static_assert(offsetof(struct fs, fs_fsbtodb) == 100, "fs_fsbtodb");
_Static_assert(offsetof(struct fs, fs_nindir) == 116, "fs_nindir");
_Static_assert(offsetof(struct fs, fs_cgsize) == 160, "fs_cgsize");
_Static_assert(offsetof(struct fs, fs_ipg) == 184, "fs_ipg");
_Static_assert(offsetof(struct fs, fs_fpg) == 188, "fs_fpg");
_Static_assert(offsetof(struct fs, fs_fsmnt) == 212, "fs_fsmnt");
_Static_assert(offsetof(struct fs, fs_swuid) == 712, "fs_swuid");
_Static_assert(offsetof(struct fs, fs_si) == 736, "fs_si");
_Static_assert(offsetof(struct fs, fs_old_cpc) == 856, "fs_old_cpc");
_Static_assert(offsetof(struct fs, fs_sblockactualloc) == 992,
    "fs_sblockactualloc");
_Static_assert(offsetof(struct fs, fs_sblockloc) == 1000, "fs_sblockloc");
_Static_assert(offsetof(struct fs, fs_time) == 1072, "fs_time");
_Static_assert(offsetof(struct fs, fs_size) == 1080, "fs_size");
_Static_assert(offsetof(struct fs, fs_dsize) == 1088, "fs_dsize");
_Static_assert(offsetof(struct fs, fs_mtime) == 1208, "fs_mtime");
_Static_assert(offsetof(struct fs, fs_ckhash) == 1304, "fs_ckhash");
_Static_assert(offsetof(struct fs, fs_flags) == 1312, "fs_flags");
_Static_assert(offsetof(struct fs, fs_maxsymlinklen) == 1320,
    "fs_maxsymlinklen");
_Static_assert(offsetof(struct fs, fs_maxfilesize) == 1328, "fs_maxfilesize");
_Static_assert(offsetof(struct fs, fs_magic) == 1372, "fs_magic");

/*
 * The head of a cylinder group block, as far as dump reads it: UFS2
 * initialises inode blocks lazily, and those past cg_initediblk hold
 * whatever the disk held.
 */
#define	CG_MAGIC	0x090255

struct cg {
	int32_t	cg_firstfield;		/*   0 */
	int32_t	cg_magic;		/*   4: CG_MAGIC */
	int32_t	cg_old_time;		/*   8 */
	uint32_t cg_cgx;		/*  12: this group's number */
	int16_t	cg_old_ncyl;		/*  16 */
	int16_t	cg_old_niblk;		/*  18 */
	uint32_t cg_ndblk;		/*  20: data blocks */
	struct	csum cg_cs;		/*  24 */
	uint32_t cg_rotor;		/*  40 */
	uint32_t cg_frotor;		/*  44 */
	uint32_t cg_irotor;		/*  48 */
	uint32_t cg_frsum[MAXFRAG];	/*  52 */
	int32_t	cg_old_btotoff;		/*  84 */
	int32_t	cg_old_boff;		/*  88 */
	uint32_t cg_iusedoff;		/*  92: map of inodes in use */
	uint32_t cg_freeoff;		/*  96: map of free fragments */
	uint32_t cg_nextfreeoff;	/* 100 */
	uint32_t cg_clustersumoff;	/* 104 */
	uint32_t cg_clusteroff;		/* 108 */
	uint32_t cg_nclusterblks;	/* 112 */
	uint32_t cg_niblk;		/* 116: inode blocks */
	uint32_t cg_initediblk;		/* 120: inodes initialised */
	uint32_t cg_unrefs;		/* 124 */
	int32_t	cg_sparecon32[1];	/* 128 */
	uint32_t cg_ckhash;		/* 132 */
	ufs_time_t cg_time;		/* 136 */
	int64_t	cg_sparecon64[3];	/* 144 */
};

_Static_assert(sizeof(struct cg) == 168, "struct cg head is 168 bytes");
_Static_assert(offsetof(struct cg, cg_magic) == 4, "cg_magic");
_Static_assert(offsetof(struct cg, cg_iusedoff) == 92, "cg_iusedoff");
_Static_assert(offsetof(struct cg, cg_initediblk) == 120, "cg_initediblk");
_Static_assert(offsetof(struct cg, cg_time) == 136, "cg_time");

/*
 * Fragments to DEV_BSIZE sectors and back.  FreeBSD casts to its daddr_t,
 * which is 64 bits there; glibc's is a 32-bit int, so the cast here is
 * to ufs2_daddr_t, or UFS2 block numbers past 2^31 sectors would wrap.
 */
#define	fsbtodb(fs, b)	((ufs2_daddr_t)(b) << (fs)->fs_fsbtodb)
#define	dbtofsb(fs, b)	((b) >> (fs)->fs_fsbtodb)

/*
 * Where cylinder group c and its parts begin, in fragments.  UFS1's
 * groups may be staggered by fs_old_cgoffset; UFS2's never are.
 */
#define	cgbase(fs, c)	((ufs2_daddr_t)(fs)->fs_fpg * (c))
#define	cgstart(fs, c)							\
	((fs)->fs_magic == FS_UFS2_MAGIC ? cgbase(fs, c) :		\
	    (cgbase(fs, c) + (fs)->fs_old_cgoffset *			\
	    ((c) & ~((fs)->fs_old_cgmask))))
#define	cgsblock(fs, c)	(cgstart(fs, c) + (fs)->fs_sblkno)
#define	cgtod(fs, c)	(cgstart(fs, c) + (fs)->fs_cblkno)
#define	cgimin(fs, c)	(cgstart(fs, c) + (fs)->fs_iblkno)
#define	cgdmin(fs, c)	(cgstart(fs, c) + (fs)->fs_dblkno)

/* An inode number's group, the fragment of its block, its place there. */
#define	ino_to_cg(fs, x)	((ino_t)(x) / (fs)->fs_ipg)
#define	ino_to_fsba(fs, x)						\
	((ufs2_daddr_t)(cgimin(fs, ino_to_cg(fs, x)) +			\
	    blkstofrags((fs), (((ino_t)(x) % (fs)->fs_ipg) / INOPB(fs)))))
#define	ino_to_fsbo(fs, x)	((ino_t)(x) % INOPB(fs))

#define	dtog(fs, d)	((d) / (fs)->fs_fpg)
#define	dtogd(fs, d)	((d) % (fs)->fs_fpg)

/* Shifts and masks for divisions by the sizes. */
#define	blkoff(fs, loc)		((loc) & (fs)->fs_qbmask)
#define	fragoff(fs, loc)	((loc) & (fs)->fs_qfmask)
#define	lfragtosize(fs, frag)	((off_t)(frag) << (fs)->fs_fshift)
#define	lblktosize(fs, blk)	((off_t)(blk) << (fs)->fs_bshift)
#define	lblkno(fs, loc)		((loc) >> (fs)->fs_bshift)
#define	numfrags(fs, loc)	((loc) >> (fs)->fs_fshift)
#define	blkroundup(fs, size) \
	(((size) + (fs)->fs_qbmask) & (fs)->fs_bmask)
#define	fragroundup(fs, size) \
	(((size) + (fs)->fs_qfmask) & (fs)->fs_fmask)
#define	fragstoblks(fs, frags)	((frags) >> (fs)->fs_fragshift)
#define	blkstofrags(fs, blks)	((blks) << (fs)->fs_fragshift)
#define	fragnum(fs, fsb)	((fsb) & ((fs)->fs_frag - 1))
#define	blknum(fs, fsb)		((fsb) &~ ((fs)->fs_frag - 1))

/*
 * The size of logical block lbn of a file of the given size: whole
 * blocks, but the last direct block holds only the fragments it needs.
 */
#define	sblksize(fs, size, lbn)						\
	(((lbn) >= UFS_NDADDR || (size) >= ((lbn) + 1) << (fs)->fs_bshift) \
	    ? (fs)->fs_bsize						\
	    : (fragroundup(fs, blkoff(fs, (size)))))

#define	NINDIR(fs)	((fs)->fs_nindir)	/* pointers per block */
#define	INOPB(fs)	((fs)->fs_inopb)	/* inodes per block */

#endif /* !_UFS_FFS_FS_H_ */
