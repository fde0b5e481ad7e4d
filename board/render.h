/* render.h - draws a cb_board on the ncurses screen; reads, never changes, the board
 * (except to keep the selection inside the window). */
#ifndef CALLBELL_BOARD_RENDER_H
#define CALLBELL_BOARD_RENDER_H

#include "board.h"

#include <stddef.h>
#include <stdint.h>

/* Colour pairs; call once after initscr(). Harmless on terminals without colour. */
void cb_render_init_colours(void);

/* The open calls (oldest first) and the index of the selected one in them (0 when the
 * selection is gone; n may be 0). */
size_t cb_board_calls(const cb_board *b, const cb_state **calls, size_t cap, size_t *selected);

/* Redraws the whole screen for wall-clock time now_ms. Works on any size, down to 1x1. */
void cb_render(cb_board *b, uint64_t now_ms);

#endif
