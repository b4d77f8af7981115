// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART on COM1 (ports 0x3f8-0x3ff, IOAPIC input 4), as QEMU's:
 * what the guest transmits goes to stdout at once, so the transmitter is
 * always empty (LSR = THRE | TEMT); nothing is ever received. With IER's
 * THRE interrupt enabled the UART raises its line while a "transmitter
 * empty" interrupt is pending (cleared by reading IIR or by writing THR,
 * which at once empties again); QEMU does not gate it with MCR.OUT2 and
 * neither does this one. Loopback (MCR bit 4) is not modelled.
 */
#include <errno.h>
#include <unistd.h>

#include "devices.h"
#include "io.h"
#include "vmm.h"

#define COM1_BASE	0x3f8
#define COM1_GSI	4

#define UART_IER_THRI	0x02
#define UART_IIR_NONE	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_FIFO	0xc0
#define UART_FCR_ENABLE	0x01
#define UART_LCR_DLAB	0x80
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_IDLE	0xb0	/* DCD, DSR, CTS */
#define UART_MCR_OUT2	0x08

/* struct serial - the UART's registers (plain data: snapshots copy it). */
struct serial {
	uint8_t ier;
	uint8_t lcr;
	uint8_t mcr;
	uint8_t scr;
	uint8_t fcr;
	uint8_t dll;
	uint8_t dlm;
	uint8_t thr_pending;	/* a THR-empty interrupt is pending */
};

static void serial_update_irq(struct vcpu *vcpu, struct vm *vm,
			      struct serial *s)
{
	(void)vcpu;
	vm_set_irq(vm, COM1_GSI, (s->ier & UART_IER_THRI) && s->thr_pending);
}

static void serial_output(uint8_t c)
{
	ssize_t n;

	do {
		n = write(STDOUT_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
}

static uint32_t serial_in(struct vcpu *vcpu, void *opaque, uint16_t off,
			  unsigned int size)
{
	struct serial *s = opaque;
	uint8_t v = 0;

	(void)size;
	switch (off) {
	case 0:
		v = s->lcr & UART_LCR_DLAB ? s->dll : 0;	/* RBR: empty */
		break;
	case 1:
		v = s->lcr & UART_LCR_DLAB ? s->dlm : s->ier;
		break;
	case 2:
		if ((s->ier & UART_IER_THRI) && s->thr_pending) {
			v = UART_IIR_THRI;
			s->thr_pending = 0;
			serial_update_irq(vcpu, vcpu->vm, s);
		} else {
			v = UART_IIR_NONE;
		}
		if (s->fcr & UART_FCR_ENABLE)
			v |= UART_IIR_FIFO;
		break;
	case 3:
		v = s->lcr;
		break;
	case 4:
		v = s->mcr;
		break;
	case 5:
		v = UART_LSR_THRE | UART_LSR_TEMT;
		break;
	case 6:
		v = UART_MSR_IDLE;
		break;
	case 7:
		v = s->scr;
		break;
	}
	return v;
}

static void serial_out(struct vcpu *vcpu, void *opaque, uint16_t off,
		       unsigned int size, uint32_t val)
{
	struct serial *s = opaque;
	uint8_t v = val;

	(void)size;
	switch (off) {
	case 0:
		if (s->lcr & UART_LCR_DLAB) {
			s->dll = v;
			break;
		}
		serial_output(v);
		/* Sent at once: the holding register is empty again. */
		s->thr_pending = 1;
		serial_update_irq(vcpu, vcpu->vm, s);
		break;
	case 1:
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
			s->thr_pending = 1;
		s->ier = v & 0x0f;
		serial_update_irq(vcpu, vcpu->vm, s);
		break;
	case 2:
		s->fcr = v & 0xc9;
		break;
	case 3:
		s->lcr = v;
		break;
	case 4:
		s->mcr = v & 0x1f;
		break;
	case 7:
		s->scr = v;
		break;
	}
}

static void serial_reset(struct vm *vm, void *state)
{
	struct serial *s = state;

	s->ier = 0;
	s->lcr = 0;
	s->mcr = UART_MCR_OUT2;
	s->scr = 0;
	s->fcr = 0;
	s->dll = 0x0c;
	s->dlm = 0;
	s->thr_pending = 0;
	vm_set_irq(vm, COM1_GSI, false);
}

int serial_init(struct vm *vm)
{
	void *s;
	int ret;

	ret = device_add(vm, "serial", sizeof(struct serial), serial_reset, &s);
	if (ret)
		return ret;
	return io_register(vm, COM1_BASE, 8, "serial (COM1)", serial_in,
			   serial_out, s);
}
