// SPDX-License-Identifier: GPL-2.0
/*
 * stale_tlb_ffs - does a USB gadget AIO completion worker write through a
 * stale TLB entry after its single-threaded owner remapped the buffer?
 *
 * The race (the sparc64 one of bafb056ce279, in its mips form, on a
 * current kernel): when mm_users == 1 and current->mm == mm, mips'
 * flush_tlb_{mm,range,page}() do not cross-call the other CPUs but only
 * reset their ASID contexts for the mm.  A CPU that is running the mm at
 * that moment keeps its ASID and its entries until it next switches mm.
 * Since v5.12 io_uring's threads hold mm_users, but functionfs still
 * copies the data of a finished AIO read to the reader in a workqueue
 * (ffs_user_copy_worker()), under kthread_use_mm() of the reader's mm,
 * without any mm_users reference: the reader's mm_users stays 1.
 *
 * The guest is both ends of one USB link (dummy_hcd): a configfs gadget
 * with one functionfs function (one bulk OUT endpoint), and the host side
 * through usbfs.  One round, with this process on CPU 0 and the
 * functionfs workqueue on CPU 1 (the unbound workqueue cpumask):
 *  1. an AIO read (IOCB_CMD_PREADV) of N + 2 pages is queued on the
 *     gadget's endpoint, into the iovec [B, L x N, B]: B is a one-page
 *     window mapped MAP_SHARED onto page "cur" of a tmpfs file, L is one
 *     private page, repeated so that the copy is long but needs only two
 *     TLB entries;
 *  2. the host side sends those N + 2 pages as one bulk OUT URB: the
 *     first page of "a" data, N pages of filler, the last of "c" data;
 *  3. the worker copies them: it writes "a" into B (its TLB now maps
 *     B -> cur), then N times into L;
 *  4. as soon as "a" shows in page cur, this process remaps B onto page
 *     "next" of the file (the racing flush: mm_users 1, current->mm);
 *  5. the worker writes "c" into B.
 * On a correct kernel "c" lands in page next.  If the worker used its
 * stale entry, it lands in page cur, after the remap had returned: a
 * stale write.  A round in which "c" had reached page cur before the
 * remap returned (or in which this process saw "c" in B before it saw
 * "a": it did not run while the worker copied) proves nothing either
 * way and is counted apart.  N is 1000 (4 MB a read) unless -n says
 * otherwise: under TCG on a loaded host the window is decided by when
 * the host runs the two vCPU threads, and a short copy always won.
 * Optionally (-f N) N threads of a second process flush their own mm on
 * CPUs 2.. in a loop (cross-calls into every other CPU).
 *
 * "# metric: stale_writes N" is the number of rounds whose "c" landed in
 * the old page.  The test fails when N > 0 or any I/O went wrong, and
 * when no round remapped B while the worker was still copying (it then
 * proved nothing).  Needs root, 2 or more CPUs, configfs, functionfs,
 * dummy_hcd and native AIO; skips otherwise.
 *
 * Usage: stale_tlb_ffs [-d SECONDS] [-n FILLER_PAGES] [-f FLOOD_THREADS]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "ktap.h"
#include "procfs.h"
#include "stale_tlb.h"

#define NPAGE		16	/* pages of the file B is mapped onto */
#define MAX_FILL	1000	/* filler pages (iovec entries) at most */
#define STALL_SECS	10
#define WORK_CPU	1
#define VENDOR		"0x1d6b"	/* Linux Foundation */
#define PRODUCT		"0x0104"	/* multifunction composite gadget */
#define GADGET		"/sys/kernel/config/usb_gadget/racefix"
#define FFS_DIR		"/tmp/racefix-ffs"
#define WQ_MASK		"/sys/devices/virtual/workqueue/cpumask"

/* Little-endian constants for the descriptors (static initializers). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LE16(x)		(x)
#define LE32(x)		(x)
#else
#define LE16(x)		__builtin_bswap16(x)
#define LE32(x)		__builtin_bswap32(x)
#endif

static char old_wq_mask[256];

/* Does any word of the page hold @seq's data? */
static int touched(const volatile void *buf, unsigned long seq)
{
	const volatile uint64_t *w = buf;
	size_t i;

	for (i = 0; i < pgsz / sizeof(*w); i++)
		if (w[i] == pattern(seq, i))
			return 1;
	return 0;
}

/* One line of a sysfs file, without its newline: 0, or -1. */
static int read_line(const char *path, char *buf, size_t len)
{
	if (read_file(path, buf, len) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* One interface, one bulk OUT endpoint, at full and high speed. */
static const struct {
	struct usb_functionfs_descs_head_v2 header;
	__le32 fs_count;
	__le32 hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct usb_endpoint_descriptor_no_audio out;
	} __attribute__((packed)) fs, hs;
} __attribute__((packed)) descriptors = {
	.header = {
		.magic = LE32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2),
		.length = LE32(sizeof(descriptors)),
		.flags = LE32(FUNCTIONFS_HAS_FS_DESC |
				 FUNCTIONFS_HAS_HS_DESC),
	},
	.fs_count = LE32(2),
	.hs_count = LE32(2),
	.fs = {
		.intf = {
			.bLength = sizeof(descriptors.fs.intf),
			.bDescriptorType = USB_DT_INTERFACE,
			.bNumEndpoints = 1,
			.bInterfaceClass = USB_CLASS_VENDOR_SPEC,
			.iInterface = 1,
		},
		.out = {
			.bLength = sizeof(descriptors.fs.out),
			.bDescriptorType = USB_DT_ENDPOINT,
			.bEndpointAddress = 1 | USB_DIR_OUT,
			.bmAttributes = USB_ENDPOINT_XFER_BULK,
			.wMaxPacketSize = LE16(64),
		},
	},
	.hs = {
		.intf = {
			.bLength = sizeof(descriptors.hs.intf),
			.bDescriptorType = USB_DT_INTERFACE,
			.bNumEndpoints = 1,
			.bInterfaceClass = USB_CLASS_VENDOR_SPEC,
			.iInterface = 1,
		},
		.out = {
			.bLength = sizeof(descriptors.hs.out),
			.bDescriptorType = USB_DT_ENDPOINT,
			.bEndpointAddress = 1 | USB_DIR_OUT,
			.bmAttributes = USB_ENDPOINT_XFER_BULK,
			.wMaxPacketSize = LE16(512),
		},
	},
};

static const struct {
	struct usb_functionfs_strings_head header;
	struct {
		__le16 code;
		char str1[sizeof("racefix")];
	} __attribute__((packed)) lang0;
} __attribute__((packed)) strings = {
	.header = {
		.magic = LE32(FUNCTIONFS_STRINGS_MAGIC),
		.length = LE32(sizeof(strings)),
		.str_count = LE32(1),
		.lang_count = LE32(1),
	},
	.lang0 = {
		LE16(0x0409),	/* en-us */
		"racefix",
	},
};

/* The first UDC the kernel offers (dummy_udc.0), or -1. */
static int first_udc(char *name, size_t len)
{
	DIR *d = opendir("/sys/class/udc");
	struct dirent *e;
	int ret = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, len, "%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/*
 * The gadget: configfs, one functionfs function, its descriptors written
 * to ep0.  Returns ep0's descriptor (kept open: closing it unbinds the
 * function), or -1 with errno set and *what naming the step.
 */
static int gadget_setup(const char **what)
{
	int ep0;

	*what = "mount configfs";
	if (mount("none", "/sys/kernel/config", "configfs", 0, NULL) &&
	    errno != EBUSY)
		return -1;
	*what = "mkdir " GADGET;
	if (mkdir(GADGET, 0755) && errno != EEXIST)
		return -1;
	*what = "configfs gadget ids";
	if (write_file(GADGET "/idVendor", VENDOR) ||
	    write_file(GADGET "/idProduct", PRODUCT))
		return -1;
	*what = "configfs configuration and ffs function";
	if ((mkdir(GADGET "/configs/c.1", 0755) && errno != EEXIST) ||
	    (mkdir(GADGET "/functions/ffs.racefix", 0755) && errno != EEXIST))
		return -1;
	if (symlink(GADGET "/functions/ffs.racefix",
		    GADGET "/configs/c.1/ffs.racefix") && errno != EEXIST)
		return -1;
	*what = "mount functionfs";
	if ((mkdir(FFS_DIR, 0755) && errno != EEXIST) ||
	    (mount("racefix", FFS_DIR, "functionfs", 0, NULL) &&
	     errno != EBUSY))
		return -1;
	*what = "open ep0";
	ep0 = open(FFS_DIR "/ep0", O_RDWR);
	if (ep0 < 0)
		return -1;
	*what = "write descriptors and strings to ep0";
	if (write(ep0, &descriptors, sizeof(descriptors)) !=
	    sizeof(descriptors) ||
	    write(ep0, &strings, sizeof(strings)) != sizeof(strings)) {
		close(ep0);
		return -1;
	}
	return ep0;
}

/*
 * The host side: wait until the gadget is enumerated and configured,
 * open its usbfs node and claim interface 0.  Returns the fd or -1.
 */
static int host_open(void)
{
	double end = now() + STALL_SECS;
	char path[300], v[64], p[64], busnum[16], devnum[16], cfg[16];
	unsigned int intf = 0;
	struct dirent *e;
	int fd;

	while (now() < end) {
		DIR *d = opendir("/sys/bus/usb/devices");

		if (!d)
			return -1;
		while ((e = readdir(d))) {
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/idVendor", e->d_name);
			if (read_line(path, v, sizeof(v)) ||
			    strcmp(v, VENDOR + 2))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/idProduct", e->d_name);
			if (read_line(path, p, sizeof(p)) ||
			    strcmp(p, PRODUCT + 2))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/bConfigurationValue",
				 e->d_name);
			if (read_line(path, cfg, sizeof(cfg)) ||
			    strcmp(cfg, "1"))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/busnum", e->d_name);
			if (read_line(path, busnum, sizeof(busnum)))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/devnum", e->d_name);
			if (read_line(path, devnum, sizeof(devnum)))
				continue;
			closedir(d);
			snprintf(path, sizeof(path), "/dev/bus/usb/%03d/%03d",
				 atoi(busnum), atoi(devnum));
			fd = open(path, O_RDWR);
			if (fd < 0)
				return -1;
			if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &intf)) {
				close(fd);
				return -1;
			}
			ktap_diag("host side: %s, configuration 1, interface 0 claimed",
				  path);
			return fd;
		}
		closedir(d);
		usleep(10000);
	}
	errno = ETIMEDOUT;
	return -1;
}

/*
 * The host's address of the gadget's bulk OUT endpoint: functionfs gives
 * the endpoint the controller picks, not the descriptor's number.  From
 * the descriptors usbfs returns (device, then configuration); -1 if none.
 */
static int bulk_out_address(int usb)
{
	unsigned char d[1024];
	ssize_t n = pread(usb, d, sizeof(d), 0);
	ssize_t i;

	for (i = 0; i + 4 <= n && d[i] >= 2; i += d[i]) {
		if (d[i + 1] == USB_DT_ENDPOINT && i + 4 <= n &&
		    !(d[i + 2] & USB_DIR_IN) &&
		    (d[i + 3] & USB_ENDPOINT_XFERTYPE_MASK) ==
		    USB_ENDPOINT_XFER_BULK)
			return d[i + 2];
	}
	return -1;
}

/* Wait for the URB to come back; its status, or -ETIMEDOUT. */
static int reap_urb(int usb)
{
	double end = now() + STALL_SECS;
	struct usbdevfs_urb *done;

	while (now() < end) {
		if (!ioctl(usb, USBDEVFS_REAPURBNDELAY, &done))
			return done->status;
		if (errno != EAGAIN)
			return -errno;
		usleep(100);
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	int secs = 10, nfill = MAX_FILL, nflood = 0, c, ep0, ep, usb, fd, epaddr;
	int stalled = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long rounds = 0, stale = 0, bad = 0, raced = 0, late = 0;
	unsigned long seq = 0, timed = 0, missed = 0;
	char fpath[] = "/tmp/stale_tlb_ffs.XXXXXX", udc[256], mask[32];
	unsigned char *win, *view, *filler, *hostbuf;
	unsigned int cur = 0, next, i;
	struct iovec iov[MAX_FILL + 2];
	struct iocb cb, *cbp = &cb;
	struct io_event ev;
	struct timespec tmo = { STALL_SECS, 0 };
	struct usbdevfs_urb urb;
	aio_context_t ctx = 0;
	const char *what;
	pid_t flood_pid = 0;
	size_t len;
	double t0, end, remap_us = 0, done_us = 0;
	const char *stage = "";

	opterr = 0;
	while ((c = getopt(argc, argv, "d:n:f:")) != -1) {
		switch (c) {
		case 'd':
			secs = atoi(optarg);
			break;
		case 'n':
			nfill = atoi(optarg);
			break;
		case 'f':
			nflood = atoi(optarg);
			break;
		default:
			printf("stale_tlb_ffs: unknown option or missing value -%c: usage: stale_tlb_ffs [-d SECONDS] [-n FILLER_PAGES] [-f FLOOD_THREADS]\n",
			       optopt);
			return KTAP_FAIL;
		}
	}
	if (secs < 1 || nfill < 1 || nfill > MAX_FILL || nflood < 0) {
		printf("stale_tlb_ffs: -d and -n must be positive, -n at most %d, -f not negative\n",
		       MAX_FILL);
		return KTAP_FAIL;
	}
	pgsz = sysconf(_SC_PAGESIZE);

	if (ncpu < 2)
		ktap_exit_skip("1 cpu online: the copy worker never runs beside this process");
	if (syscall(__NR_io_setup, 4, &ctx))
		ktap_exit_skip("no native AIO (io_setup: %s)", strerror(errno));
	if (first_udc(udc, sizeof(udc)))
		ktap_exit_skip("no USB device controller (dummy_hcd) in /sys/class/udc");
	ep0 = gadget_setup(&what);
	if (ep0 < 0) {
		if (errno == ENODEV || errno == ENOENT)
			ktap_exit_skip("%s: %s (configfs or functionfs missing)",
				       what, strerror(errno));
		ktap_bail("%s", what);
	}

	ktap_start(3);
	ktap_diag("stale_tlb_ffs: %ld cpus, page %zu, %d s, 1 + %d + 1 pages per read, %d flood threads",
		  ncpu, pgsz, secs, nfill, nflood);
	if (write_file(GADGET "/UDC", udc))
		ktap_bail("bind the gadget to %s", udc);
	ep = open(FFS_DIR "/ep1", O_RDWR);
	if (ep < 0)
		ktap_bail("open " FFS_DIR "/ep1");
	usb = host_open();
	if (usb < 0)
		ktap_bail("the host side of the gadget (usbfs)");
	epaddr = bulk_out_address(usb);
	if (epaddr < 0)
		ktap_bail("no bulk OUT endpoint in the gadget's descriptors");
	ktap_diag("host side: bulk OUT endpoint 0x%02x", epaddr);

	/* Copies on CPU 1 (unbound workqueues), this process on CPU 0. */
	if (read_line(WQ_MASK, old_wq_mask, sizeof(old_wq_mask)))
		old_wq_mask[0] = '\0';
	snprintf(mask, sizeof(mask), "%x", 1 << WORK_CPU);
	if (write_file(WQ_MASK, mask))
		ktap_diag("cannot put the unbound workqueues on cpu %d (%s): the worker's cpu varies",
			  WORK_CPU, strerror(errno));
	pin(0);
	ktap_result(1, "functionfs gadget on dummy_hcd, usbfs host side, AIO context");

	fd = mkstemp(fpath);
	if (fd < 0)
		ktap_bail("mkstemp");
	unlink(fpath);
	if (ftruncate(fd, NPAGE * pgsz))
		ktap_bail("ftruncate");
	len = (nfill + 2) * pgsz;
	win = mmap(NULL, pgsz, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, fd, 0);
	view = mmap(NULL, NPAGE * pgsz, PROT_READ, MAP_SHARED | MAP_POPULATE,
		    fd, 0);
	filler = mmap(NULL, pgsz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	hostbuf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (win == MAP_FAILED || view == MAP_FAILED || filler == MAP_FAILED ||
	    hostbuf == MAP_FAILED)
		ktap_bail("mmap buffers");
	iov[0].iov_base = win;
	iov[0].iov_len = pgsz;
	for (i = 1; i <= (unsigned int)nfill; i++) {
		iov[i].iov_base = filler;
		iov[i].iov_len = pgsz;
	}
	iov[nfill + 1].iov_base = win;
	iov[nfill + 1].iov_len = pgsz;
	if (nflood > 0)
		flood_pid = start_flood(nflood, ncpu);
	srand(12345);

	t0 = now();
	end = t0 + secs;
	while (now() < end && !stalled) {
		unsigned long seq_a = ++seq, seq_c = ++seq;
		int was_late, res;
		double wait_end, t_seen, t_remap;

		rounds++;
		next = (cur + 1 + rand() % (NPAGE - 1)) % NPAGE;
		fill(hostbuf, seq_a);
		fill(hostbuf + len - pgsz, seq_c);

		/* 1. The read into [B, L x N, B]. */
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = ep;
		cb.aio_lio_opcode = IOCB_CMD_PREADV;
		cb.aio_buf = (unsigned long)iov;
		cb.aio_nbytes = nfill + 2;
		if (syscall(__NR_io_submit, ctx, 1, &cbp) != 1)
			ktap_bail("io_submit on ep1");
		/* 2. The host sends the data. */
		memset(&urb, 0, sizeof(urb));
		urb.type = USBDEVFS_URB_TYPE_BULK;
		urb.endpoint = epaddr;
		urb.buffer = hostbuf;
		urb.buffer_length = len;
		if (ioctl(usb, USBDEVFS_SUBMITURB, &urb))
			ktap_bail("USBDEVFS_SUBMITURB");
		/*
		 * 3-4. "a" starts to show in page cur: the worker maps B.
		 * Remap B at once (no MAP_POPULATE: the shorter the remap,
		 * the more of the copy is still ahead of the worker).
		 */
		wait_end = now() + STALL_SECS;
		while (((volatile uint64_t *)win)[0] != pattern(seq_a, 0) &&
		       ((volatile uint64_t *)win)[0] != pattern(seq_c, 0) &&
		       now() < wait_end)
			;
		t_seen = now();
		if (t_seen >= wait_end) {
			stalled = 1;
			stage = "the worker's first write into B";
			break;
		}
		if (((volatile uint64_t *)win)[0] == pattern(seq_c, 0)) {
			/* This process did not run before the copy ended. */
			missed++;
		}
		if (mmap(win, pgsz, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, next * pgsz) != win)
			ktap_bail("mmap window");
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Had "c" reached page cur before the remap returned? */
		was_late = touched(view + cur * pgsz, seq_c);
		t_remap = now() - t_seen;
		/* 5. The worker writes "c" into B and completes. */
		res = syscall(__NR_io_getevents, ctx, 1, 1, &ev, &tmo);
		if (res != 1) {
			stalled = 1;
			stage = "the AIO completion";
			break;
		}
		remap_us += t_remap * 1e6;
		done_us += (now() - t_seen) * 1e6;
		timed++;
		res = reap_urb(usb);
		if (res || ev.res != (long long)len) {
			if (!bad)
				ktap_diag("round %lu: read res %lld, urb status %d",
					  rounds, (long long)ev.res, res);
			bad++;
		} else if (was_late) {
			late++;
		} else if (matches(win, seq_c)) {
			raced++;
		} else if (touched(view + cur * pgsz, seq_c)) {
			if (!stale)
				ktap_diag("round %lu: the write into B landed in the old page %u after the remap, not in page %u (stale TLB entry)",
					  rounds, cur, next);
			stale++;
			raced++;
		} else {
			if (!bad)
				ktap_diag("round %lu: the write into B is neither in page %u nor in the old page %u",
					  rounds, next, cur);
			bad++;
		}
		cur = next;
	}
	t0 = now() - t0;
	if (flood_pid > 0) {
		kill(flood_pid, SIGKILL);
		waitpid(flood_pid, NULL, 0);
	}
	if (old_wq_mask[0] && write_file(WQ_MASK, old_wq_mask))
		ktap_diag("cannot restore the workqueue cpumask %s", old_wq_mask);
	if (stalled) {
		ktap_diag("round %lu: no progress for %d s, waiting for %s",
			  rounds, STALL_SECS, stage);
		for (i = 0; i < NPAGE; i++)
			if (touched(view + i * pgsz, seq - 1) ||
			    touched(view + i * pgsz, seq))
				ktap_diag("round %lu: page %u holds data of this round (B was on page %u)",
					  rounds, i, cur);
	}
	ktap_diag("%lu rounds in %.1f s; B remapped while the worker copied in %lu, after its last write in %lu (the first write unseen in %lu)",
		  rounds, t0, raced, late, missed);
	if (timed)
		ktap_diag("from the first write into B: remap done after %.0f us, read complete after %.0f us (mean)",
			  remap_us / timed, done_us / timed);
	ktap_diag("metric: stale_writes %lu", stale);
	ktap_diag("wrong or failed I/O (not stale): %lu", bad);
	ktap_result(!stalled && !stale && !bad,
		    "no write landed through a stale TLB entry");
	ktap_result(!stalled && raced > 0,
		    "B was remapped while the worker was still copying");
	ktap_finish();
}
