#ifndef ASSIST_SPHINX_SHIM_H
#define ASSIST_SPHINX_SHIM_H

#include <pocketsphinx.h>

/* assist_ps_quiet turns PocketSphinx's logging off for the whole process:
 * the TUI owns the terminal, and every ps_init would otherwise print
 * hundreds of INFO lines to stderr. Call it once, before any decoder. */
void assist_ps_quiet(void);

/* assist_ps_config builds a decoder configuration from model paths. It
 * exists because cmd_ln_init is variadic and cgo cannot call variadic C
 * functions. lm may be NULL for a decoder that only gets a grammar search.
 * Returns NULL on a bad argument; ps_init takes its own reference, so the
 * caller releases this one with cmd_ln_free_r. */
cmd_ln_t *assist_ps_config(const char *hmm, const char *lm, const char *dict,
                           int sample_rate);

#endif
