#ifndef ASSIST_ADAPT_SHIM_H
#define ASSIST_ADAPT_SHIM_H

#include <pocketsphinx.h>
#include <sphinxbase/fe.h>

/* assist_adapt_decoder builds a decoder from command-line style arguments
 * exactly as audio/sphinx does, so that its configuration (the model's
 * feat.params over PocketSphinx's defaults) is the decoder's. NULL on a
 * bad argument or a model that does not load. */
ps_decoder_t *assist_adapt_decoder(int argc, char **argv);

/* assist_adapt_cepstra runs a fresh front end configured like the
 * decoder's over samples and returns the cepstra in *cep (nframes rows of
 * ncep), to be freed with fe_free_2d. Returns nframes, or -1 on failure. */
int assist_adapt_cepstra(ps_decoder_t *ps, const int16 *samples, size_t n, mfcc_t ***cep, int *ncep);

#endif
