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

/* assist_ps_set_jsgf installs the JSGF grammar jsgf as the search name
 * and selects it. ps_set_jsgf_string of this version never frees the
 * parsed grammar (8.5 KB a decoder under valgrind); this does. Returns
 * 0, or -1 on a grammar it rejects. */
int assist_ps_set_jsgf(ps_decoder_t *ps, const char *name, const char *jsgf);

/* assist_lms_t is an open-model decoder's language models: the general
 * n-gram model, and it interpolated with a small model of digit strings. */
typedef struct assist_lms_s assist_lms_t;

/* assist_ps_load_lms loads the n-gram model general and the small model
 * extra with the decoder's log base and weights (-lw, -wip), and the two
 * interpolated: weight is extra's share of each word's score, which is
 * the model's probability raised to -lw; both models are queried for
 * every word. Returns NULL when a model does not load. */
assist_lms_t *assist_ps_load_lms(ps_decoder_t *ps, const char *general,
                                 const char *extra, float weight);

/* assist_ps_use_lm selects the search name, on the general model alone or
 * (mixed) on the interpolation, building it the first time: a decoder
 * that only ever serves one kind of stream builds one search, and the
 * general model is loaded once either way. Outside an utterance. Returns
 * 0, or -1 on failure. */
int assist_ps_use_lm(ps_decoder_t *ps, const assist_lms_t *lms,
                     const char *name, int mixed);

/* assist_lms_free releases the models; the searches built on them keep
 * their own references. NULL is allowed. */
void assist_lms_free(assist_lms_t *lms);

/* assist_channel_t is the part of a decoder's state that adapts to the
 * channel it hears and outlives an utterance: the live cepstral mean
 * (and its type and accumulators) and the gain control. The front end's
 * noise estimate is the rest, which ps_start_stream resets. */
typedef struct assist_channel_s assist_channel_t;

/* assist_ps_save_channel copies the channel state of ps, to restore it
 * with assist_ps_reset. Returns NULL when out of memory. */
assist_channel_t *assist_ps_save_channel(ps_decoder_t *ps);

/* assist_ps_reset makes ps hear its next stream as a new decoder would:
 * it restores the channel state saved and restarts the front end's
 * noise estimate. No utterance may be open. Returns 0, or -1 when saved
 * does not fit ps. */
int assist_ps_reset(ps_decoder_t *ps, const assist_channel_t *saved);

/* assist_channel_free releases a saved channel state; NULL is allowed. */
void assist_channel_free(assist_channel_t *saved);

/* assist_malloc_trim gives the C heap's free memory back to the system
 * (glibc malloc_trim) and returns how many bytes of it RSS lost, as
 * far as VmRSS tells. See pool.go for why. */
long assist_malloc_trim(void);

#endif
