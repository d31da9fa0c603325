#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sphinxbase/agc.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/ngram_model.h>

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

struct assist_lms_s {
    ngram_model_t *general, *mixed;
};

assist_lms_t *assist_ps_load_lms(ps_decoder_t *ps, const char *general,
                                 const char *extra, float weight)
{
    cmd_ln_t *config = ps_get_config(ps);
    logmath_t *lmath = ps_get_logmath(ps);
    ngram_model_t *models[2] = {NULL, NULL}, *set = NULL;
    char *names[2] = {"general", "extra"};
    float32 weights[2] = {1 - weight, weight};
    assist_lms_t *lms;

    /* ngram_model_read applies the config's -lw and -wip, as ps_init
     * does for its -lm. */
    models[0] = ngram_model_read(config, general, NGRAM_AUTO, lmath);
    models[1] = ngram_model_read(config, extra, NGRAM_AUTO, lmath);
    if (models[0] != NULL && models[1] != NULL)
        set = ngram_model_set_init(config, models, names, weights, 2);
    /* The set holds its own references to both models. */
    ngram_model_free(models[1]);
    if (set == NULL) {
        ngram_model_free(models[0]);
        return NULL;
    }
    lms = ckd_calloc(1, sizeof(*lms));
    lms->general = models[0];
    lms->mixed = set;
    return lms;
}

int assist_ps_use_lm(ps_decoder_t *ps, const assist_lms_t *lms,
                     const char *name, int mixed)
{
    if (ps_get_lm(ps, name) == NULL
        && ps_set_lm(ps, name, mixed ? lms->mixed : lms->general) < 0)
        return -1;
    return ps_set_search(ps, name);
}

void assist_lms_free(assist_lms_t *lms)
{
    if (lms == NULL)
        return;
    ngram_model_free(lms->mixed);
    ngram_model_free(lms->general);
    ckd_free(lms);
}

int assist_ps_set_jsgf(ps_decoder_t *ps, const char *name, const char *jsgf)
{
    jsgf_t *grammar;
    jsgf_rule_t *rule;
    fsg_model_t *fsg;
    int rv = -1;

    grammar = jsgf_parse_string(jsgf, NULL);
    if (grammar == NULL)
        return -1;
    rule = jsgf_get_public_rule(grammar);
    if (rule != NULL) {
        fsg = jsgf_build_fsg(grammar, rule, ps_get_logmath(ps),
                             cmd_ln_float32_r(ps_get_config(ps), "-lw"));
        if (fsg != NULL) {
            rv = ps_set_fsg(ps, name, fsg);
            fsg_model_free(fsg); /* ps_set_fsg keeps its own reference */
        }
    }
    jsgf_grammar_free(grammar);
    if (rv < 0)
        return -1;
    return ps_set_search(ps, name) < 0 ? -1 : 0;
}

struct assist_channel_s {
    cmn_type_t cmn_type;
    int32 veclen, nframe;
    mfcc_t *mean, *var, *sum;
    int has_agc;
    agc_t agc;
};

assist_channel_t *assist_ps_save_channel(ps_decoder_t *ps)
{
    feat_t *feat = ps_get_feat(ps);
    assist_channel_t *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    if (feat == NULL)
        return c;
    c->cmn_type = feat->cmn;
    if (feat->cmn_struct != NULL) {
        cmn_t *cmn = feat->cmn_struct;
        size_t size = cmn->veclen * sizeof(mfcc_t);
        c->mean = malloc(size);
        c->var = malloc(size);
        c->sum = malloc(size);
        if (c->mean == NULL || c->var == NULL || c->sum == NULL) {
            assist_channel_free(c);
            return NULL;
        }
        /* A new decoder has the model's -cmninit as its mean, with no
         * frames summed; cmn_live_set would claim 500 of them. */
        memcpy(c->mean, cmn->cmn_mean, size);
        memcpy(c->var, cmn->cmn_var, size);
        memcpy(c->sum, cmn->sum, size);
        c->veclen = cmn->veclen;
        c->nframe = cmn->nframe;
    }
    if (feat->agc_struct != NULL) {
        c->has_agc = 1;
        c->agc = *feat->agc_struct;
    }
    return c;
}

int assist_ps_reset(ps_decoder_t *ps, const assist_channel_t *saved)
{
    feat_t *feat = ps_get_feat(ps);

    if (feat == NULL || saved == NULL)
        return -1;
    if ((feat->cmn_struct == NULL) != (saved->mean == NULL)
        || (feat->agc_struct == NULL) != !saved->has_agc)
        return -1;
    /* feat_cmn turns batch CMN into live CMN on the first block of live
     * audio; a new decoder has not done so yet. */
    feat->cmn = saved->cmn_type;
    if (feat->cmn_struct != NULL) {
        cmn_t *cmn = feat->cmn_struct;
        size_t size;
        if (cmn->veclen != saved->veclen)
            return -1;
        size = cmn->veclen * sizeof(mfcc_t);
        memcpy(cmn->cmn_mean, saved->mean, size);
        memcpy(cmn->cmn_var, saved->var, size);
        memcpy(cmn->sum, saved->sum, size);
        cmn->nframe = saved->nframe;
    }
    if (saved->has_agc)
        *feat->agc_struct = saved->agc;
    /* The front end's noise and silence estimate, and stream time. */
    return ps_start_stream(ps);
}

void assist_channel_free(assist_channel_t *saved)
{
    if (saved == NULL)
        return;
    free(saved->mean);
    free(saved->var);
    free(saved->sum);
    free(saved);
}

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1, resident = -1;

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

long assist_malloc_trim(void)
{
    long before = rss_bytes(), after;

    malloc_trim(0);
    after = rss_bytes();
    return before < 0 || after < 0 ? 0 : before - after;
}
