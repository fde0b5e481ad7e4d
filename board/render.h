/* render.h - draws a cb_board on the ncurses screen; reads, never changes, the board
 * (except to keep the selection inside the window). */
#ifndef CALLBELL_BOARD_RENDER_H
#define CALLBELL_BOARD_RENDER_H

#include "board.h"

#include <stddef.h>
#include <stdint.h>

/* Colour pairs; call once after initscr(). Harmless on terminals without colour. */
void cb_render_init_colours(void);

/* Redraws the whole screen for wall-clock time now_ms. Works on any size, down to 1x1. */
void cb_render(cb_board *b, uint64_t now_ms);

#endif
