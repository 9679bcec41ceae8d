/*
 * The UFS1 super block and the arithmetic dump does with it.
 *
 * The structure is the 4.4BSD one (as FreeBSD had it in the 1990s and as
 * makefs -t ffs -o version=1 still writes it), with every field given a
 * fixed width: on disk they were all 32 bits, "long" and pointers
 * included, and a 64-bit host must read the same bytes at the same
 * offsets.  Fields that only the kernel used are kept as padding of the
 * right size so that the later ones land where they belong.
 */
#ifndef _UFS_FFS_FS_H_
#define	_UFS_FFS_FS_H_

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#ifndef DEV_BSIZE
#define	DEV_BSIZE	512
#endif

/* Where the boot block and the super block are, in bytes. */
#define	BBSIZE		8192
#define	SBSIZE		8192
#define	BBOFF		((off_t)0)
#define	SBOFF		((off_t)(BBOFF + BBSIZE))
#define	BBLOCK		((ufs_daddr_t)0)
#define	SBLOCK		((ufs_daddr_t)(BBLOCK + BBSIZE / DEV_BSIZE))

#define	MINBSIZE	4096
#ifndef MAXBSIZE
#define	MAXBSIZE	65536
#endif
#define	MAXFRAG		8
#define	MAXMNTLEN	512
#define	MAXCSBUFS	32

/* Summary counts of a cylinder group or of the whole file system. */
struct csum {
	int32_t	cs_ndir;		/* directories */
	int32_t	cs_nbfree;		/* free blocks */
	int32_t	cs_nifree;		/* free inodes */
	int32_t	cs_nffree;		/* free fragments */
};

struct fs {
	int32_t	fs_firstfield;		/*    0: kernel list link once */
	int32_t	fs_unused_1;		/*    4: kernel list link once */
	int32_t	fs_sblkno;		/*    8: super block, in a cg */
	int32_t	fs_cblkno;		/*   12: cg block, in a cg */
	int32_t	fs_iblkno;		/*   16: inode blocks, in a cg */
	int32_t	fs_dblkno;		/*   20: first data block, in a cg */
	int32_t	fs_cgoffset;		/*   24: cg offset in a cylinder */
	int32_t	fs_cgmask;		/*   28: for fs_ntrak modulus */
	int32_t	fs_time;		/*   32: last written */
	int32_t	fs_size;		/*   36: fragments in the fs */
	int32_t	fs_dsize;		/*   40: data fragments in the fs */
	int32_t	fs_ncg;			/*   44: cylinder groups */
	int32_t	fs_bsize;		/*   48: block size */
	int32_t	fs_fsize;		/*   52: fragment size */
	int32_t	fs_frag;		/*   56: fragments per block */
	int32_t	fs_minfree;		/*   60: reserved percentage */
	int32_t	fs_rotdelay;		/*   64: ms to the next block */
	int32_t	fs_rps;			/*   68: revolutions per second */
	int32_t	fs_bmask;		/*   72: blkoff() mask */
	int32_t	fs_fmask;		/*   76: fragoff() mask */
	int32_t	fs_bshift;		/*   80: lblkno() shift */
	int32_t	fs_fshift;		/*   84: numfrags() shift */
	int32_t	fs_maxcontig;		/*   88: contiguous blocks at most */
	int32_t	fs_maxbpg;		/*   92: blocks per cg per file */
	int32_t	fs_fragshift;		/*   96: block to fragment shift */
	int32_t	fs_fsbtodb;		/*  100: fsbtodb() shift */
	int32_t	fs_sbsize;		/*  104: super block size */
	int32_t	fs_csmask;		/*  108: csum block offset */
	int32_t	fs_csshift;		/*  112: csum block number */
	int32_t	fs_nindir;		/*  116: NINDIR() */
	int32_t	fs_inopb;		/*  120: INOPB() */
	int32_t	fs_nspf;		/*  124: NSPF() */
	int32_t	fs_optim;		/*  128: FS_OPTTIME or FS_OPTSPACE */
	int32_t	fs_npsect;		/*  132: sectors per track, spares */
	int32_t	fs_interleave;		/*  136: sector interleave */
	int32_t	fs_trackskew;		/*  140: sector 0 skew per track */
	int32_t	fs_headswitch;		/*  144: head switch, us */
	int32_t	fs_trkseek;		/*  148: track to track seek, us */
	int32_t	fs_csaddr;		/*  152: cg summary area */
	int32_t	fs_cssize;		/*  156: cg summary area size */
	int32_t	fs_cgsize;		/*  160: cg block size */
	int32_t	fs_ntrak;		/*  164: tracks per cylinder */
	int32_t	fs_nsect;		/*  168: sectors per track */
	int32_t	fs_spc;			/*  172: sectors per cylinder */
	int32_t	fs_ncyl;		/*  176: cylinders */
	int32_t	fs_cpg;			/*  180: cylinders per group */
	int32_t	fs_ipg;			/*  184: inodes per group */
	int32_t	fs_fpg;			/*  188: fragments per group */
	struct	csum fs_cstotal;	/*  192: totals */
	int8_t	fs_fmod;		/*  208: modified flag */
	int8_t	fs_clean;		/*  209: clean flag */
	int8_t	fs_ronly;		/*  210: read-only flag */
	int8_t	fs_flags;		/*  211: flags */
	char	fs_fsmnt[MAXMNTLEN];	/*  212: where it was mounted */
	int32_t	fs_cgrotor;		/*  724: last cg searched */
	int32_t	fs_csp[MAXCSBUFS];	/*  728: kernel pointers once */
	int32_t	fs_cpc;			/*  856: cylinders per cycle */
	int16_t	fs_opostbl[16][8];	/*  860: old rotational tables */
	int32_t	fs_sparecon[51];	/* 1116: reserved */
	int32_t	fs_maxsymlinklen;	/* 1320: longest short symlink */
	int32_t	fs_inodefmt;		/* 1324: FS_42INODEFMT, FS_44INODEFMT */
	uint64_t fs_maxfilesize;	/* 1328: largest file */
	int64_t	fs_qbmask;		/* 1336: ~fs_bmask, 64 bits */
	int64_t	fs_qfmask;		/* 1344: ~fs_fmask, 64 bits */
	int32_t	fs_state;		/* 1352: fs_clean is valid */
	int32_t	fs_postblformat;	/* 1356: rotational table format */
	int32_t	fs_nrpos;		/* 1360: rotational positions */
	int32_t	fs_postbloff;		/* 1364: rotational table offset */
	int32_t	fs_rotbloff;		/* 1368: rotational blocks offset */
	int32_t	fs_magic;		/* 1372: FS_MAGIC */
	uint8_t	fs_space[1];		/* 1376: tables follow */
};

#define	FS_MAGIC	0x011954	/* the fast file system */
#define	FS_UFS1_MAGIC	FS_MAGIC
#define	FS_OKAY		0x7c269d38
#define	FS_42INODEFMT	-1		/* 4.2BSD inodes */
#define	FS_44INODEFMT	2		/* 4.4BSD inodes */
#define	FS_OPTTIME	0
#define	FS_OPTSPACE	1
#define	FS_42POSTBLFMT		-1
#define	FS_DYNAMICPOSTBLFMT	1

_Static_assert(offsetof(struct fs, fs_sblkno) == 8, "fs_sblkno");
_Static_assert(offsetof(struct fs, fs_cgoffset) == 24, "fs_cgoffset");
_Static_assert(offsetof(struct fs, fs_time) == 32, "fs_time");
_Static_assert(offsetof(struct fs, fs_size) == 36, "fs_size");
_Static_assert(offsetof(struct fs, fs_ncg) == 44, "fs_ncg");
_Static_assert(offsetof(struct fs, fs_bsize) == 48, "fs_bsize");
_Static_assert(offsetof(struct fs, fs_fsize) == 52, "fs_fsize");
_Static_assert(offsetof(struct fs, fs_frag) == 56, "fs_frag");
_Static_assert(offsetof(struct fs, fs_bshift) == 80, "fs_bshift");
_Static_assert(offsetof(struct fs, fs_fragshift) == 96, "fs_fragshift");
_Static_assert(offsetof(struct fs, fs_fsbtodb) == 100, "fs_fsbtodb");
_Static_assert(offsetof(struct fs, fs_sbsize) == 104, "fs_sbsize");
_Static_assert(offsetof(struct fs, fs_nindir) == 116, "fs_nindir");
_Static_assert(offsetof(struct fs, fs_inopb) == 120, "fs_inopb");
_Static_assert(offsetof(struct fs, fs_csaddr) == 152, "fs_csaddr");
_Static_assert(offsetof(struct fs, fs_ipg) == 184, "fs_ipg");
_Static_assert(offsetof(struct fs, fs_fpg) == 188, "fs_fpg");
_Static_assert(offsetof(struct fs, fs_cstotal) == 192, "fs_cstotal");
_Static_assert(offsetof(struct fs, fs_fsmnt) == 212, "fs_fsmnt");
_Static_assert(offsetof(struct fs, fs_cgrotor) == 724, "fs_cgrotor");
_Static_assert(offsetof(struct fs, fs_cpc) == 856, "fs_cpc");
_Static_assert(offsetof(struct fs, fs_sparecon) == 1116, "fs_sparecon");
_Static_assert(offsetof(struct fs, fs_maxsymlinklen) == 1320,
    "fs_maxsymlinklen");
_Static_assert(offsetof(struct fs, fs_maxfilesize) == 1328, "fs_maxfilesize");
_Static_assert(offsetof(struct fs, fs_qbmask) == 1336, "fs_qbmask");
_Static_assert(offsetof(struct fs, fs_qfmask) == 1344, "fs_qfmask");
_Static_assert(offsetof(struct fs, fs_nrpos) == 1360, "fs_nrpos");
_Static_assert(offsetof(struct fs, fs_magic) == 1372, "fs_magic");
_Static_assert(sizeof(struct fs) <= SBSIZE, "struct fs fits SBSIZE");

/* Indexing the cg summary pointers; kept for source compatibility. */
#define	fs_cs(fs, indx) \
	fs_csp[(indx) >> (fs)->fs_csshift][(indx) & ~(fs)->fs_csmask]

/* File system fragments to DEV_BSIZE sectors and back. */
#define	fsbtodb(fs, b)	((b) << (fs)->fs_fsbtodb)
#define	dbtofsb(fs, b)	((b) >> (fs)->fs_fsbtodb)

/* Where the parts of cylinder group c begin, in fragments. */
#define	cgbase(fs, c)	((ufs_daddr_t)((fs)->fs_fpg * (c)))
#define	cgstart(fs, c) \
	(cgbase(fs, c) + (fs)->fs_cgoffset * ((c) & ~((fs)->fs_cgmask)))
#define	cgsblock(fs, c)	(cgstart(fs, c) + (fs)->fs_sblkno)
#define	cgtod(fs, c)	(cgstart(fs, c) + (fs)->fs_cblkno)
#define	cgimin(fs, c)	(cgstart(fs, c) + (fs)->fs_iblkno)
#define	cgdmin(fs, c)	(cgstart(fs, c) + (fs)->fs_dblkno)

/* Inode numbers: their cylinder group, block and place in the block. */
#define	ino_to_cg(fs, x)	((x) / (fs)->fs_ipg)
#define	ino_to_fsba(fs, x)						\
	((ufs_daddr_t)(cgimin(fs, ino_to_cg(fs, x)) +			\
	    (blkstofrags((fs), (((x) % (fs)->fs_ipg) / INOPB(fs))))))
#define	ino_to_fsbo(fs, x)	((x) % INOPB(fs))

/* A fragment's cylinder group and its place in the group. */
#define	dtog(fs, d)	((d) / (fs)->fs_fpg)
#define	dtogd(fs, d)	((d) % (fs)->fs_fpg)

/* Shifts and masks for the divisions and remainders by sizes. */
#define	blkoff(fs, loc)		((loc) & (fs)->fs_qbmask)
#define	fragoff(fs, loc)	((loc) & (fs)->fs_qfmask)
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
 * The size of logical block lbn of a file: whole blocks, except that the
 * last direct block of a small file holds only the fragments it needs.
 * With no in-core inode here, blksize() takes the on-disk one too.
 */
#define	dblksize(fs, dip, lbn)						\
	(((lbn) >= NDADDR ||						\
	    (dip)->di_size >= (uint64_t)((lbn) + 1) << (fs)->fs_bshift)	\
	    ? (fs)->fs_bsize						\
	    : (fragroundup(fs, blkoff(fs, (int64_t)(dip)->di_size))))
#define	blksize(fs, dip, lbn)	dblksize(fs, dip, lbn)
#define	sblksize(fs, size, lbn)						\
	(((lbn) >= NDADDR || (size) >= ((lbn) + 1) << (fs)->fs_bshift)	\
	    ? (fs)->fs_bsize						\
	    : (fragroundup(fs, blkoff(fs, (size)))))

#define	NSPF(fs)	((fs)->fs_nspf)		/* sectors per fragment */
#define	INOPB(fs)	((fs)->fs_inopb)	/* inodes per block */
#define	NINDIR(fs)	((fs)->fs_nindir)	/* pointers per block */

#endif /* !_UFS_FFS_FS_H_ */
