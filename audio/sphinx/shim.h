#ifndef ASSIST_SPHINX_SHIM_H
#define ASSIST_SPHINX_SHIM_H

#include <pocketsphinx.h>

/* assist_ps_quiet turns PocketSphinx's logging off for the whole process:
 * the TUI owns the terminal, and every ps_init would otherwise print
 * hundreds of INFO lines to stderr. Call it once, before any decoder. */
void assist_ps_quiet(void);

/* assist_ps_config builds a decoder configuration from command-line style
 * arguments ("-hmm", dir, ...), rejecting unknown ones. Returns NULL on a
 * bad argument; ps_init takes its own reference, so the caller releases
 * this one with cmd_ln_free_r. */
cmd_ln_t *assist_ps_config(int argc, char **argv);

/* assist_ps_set_cmn estimates the cepstral mean of samples with a front
 * end configured like the decoder's and makes it the decoder's live CMN
 * mean. Returns the number of frames the estimate used (0 leaves the mean
 * as it was), or -1 on failure. */
int assist_ps_set_cmn(ps_decoder_t *ps, const int16 *samples, size_t n);

#endif
