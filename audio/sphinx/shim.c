#include <stdio.h>

#include <sphinxbase/err.h>

#include "shim.h"

void assist_ps_quiet(void)
{
    /* This version's documented way to disable logging. */
    err_set_logfp(NULL);
}

cmd_ln_t *assist_ps_config(const char *hmm, const char *lm, const char *dict,
                           int sample_rate)
{
    char rate[16];

    snprintf(rate, sizeof rate, "%d", sample_rate);
    /* cmd_ln_init stops at the first NULL, so an absent LM must be left
     * out of the list rather than passed as NULL. */
    if (lm == NULL)
        return cmd_ln_init(NULL, ps_args(), TRUE,
                           "-hmm", hmm,
                           "-dict", dict,
                           "-samprate", rate,
                           NULL);
    return cmd_ln_init(NULL, ps_args(), TRUE,
                       "-hmm", hmm,
                       "-lm", lm,
                       "-dict", dict,
                       "-samprate", rate,
                       NULL);
}
