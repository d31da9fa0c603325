#include <stdio.h>

#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>

#include "shim.h"

void assist_ps_quiet(void)
{
    /* This version's documented way to disable logging. */
    err_set_logfp(NULL);
}

cmd_ln_t *assist_ps_config(int argc, char **argv)
{
    return cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
}

int assist_ps_set_cmn(ps_decoder_t *ps, const int16 *samples, size_t n)
{
    feat_t *feat = ps_get_feat(ps);
    fe_t *fe;
    mfcc_t **cep = NULL;
    mfcc_t *mean;
    int32 nframes = 0, used = 0, ncep, i, j;

    if (feat == NULL || feat->cmn_struct == NULL)
        return 0; /* CMN is off for this model: nothing to set. */
    fe = fe_init_auto_r(ps_get_config(ps));
    if (fe == NULL)
        return -1;
    if (fe_process_utt(fe, samples, n, &cep, &nframes) < 0) {
        fe_free(fe);
        return -1;
    }
    ncep = fe_get_output_size(fe);
    mean = ckd_calloc(ncep, sizeof(*mean));
    for (i = 0; i < nframes; i++) {
        /* Like the decoder's own CMN, skip frames of no energy. */
        if (cep[i][0] < 0)
            continue;
        for (j = 0; j < ncep; j++)
            mean[j] += cep[i][j];
        used++;
    }
    if (used > 0) {
        for (j = 0; j < ncep; j++)
            mean[j] /= used;
        cmn_live_set(feat->cmn_struct, mean);
    }
    ckd_free(mean);
    if (cep != NULL)
        fe_free_2d(cep);
    fe_free(fe);
    return used;
}
