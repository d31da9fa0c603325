#include <sphinxbase/err.h>

#include "shim.h"

ps_decoder_t *assist_adapt_decoder(int argc, char **argv)
{
    cmd_ln_t *config;
    ps_decoder_t *ps;

    err_set_logfp(NULL);
    config = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
    if (config == NULL)
        return NULL;
    ps = ps_init(config);
    cmd_ln_free_r(config);
    return ps;
}

int assist_adapt_cepstra(ps_decoder_t *ps, const int16 *samples, size_t n, mfcc_t ***cep, int *ncep)
{
    fe_t *fe = fe_init_auto_r(ps_get_config(ps));
    int32 nframes = 0;

    *cep = NULL;
    if (fe == NULL)
        return -1;
    if (fe_process_utt(fe, samples, n, cep, &nframes) < 0) {
        fe_free(fe);
        return -1;
    }
    *ncep = fe_get_output_size(fe);
    fe_free(fe);
    return nframes;
}
