/* The preprocessing kernels (tinyids_pre_*.h) on values whose float32 results are exact, in place
 * and out of place: offset_scale, minmax, standard, select (repeated indices), pca, l2 (3-4-5
 * rows, the all-zero row that stays zero, square roots across the whole float range) and
 * log1p (0, tiny arguments, ln 2, a column subset). log1p is libm's log1pf on the host and a
 * log()-based formula on AVR, checked to within 8 float32 ulps (1e-6 relative); the square root
 * to within one ulp. */
#include "tinyids_test.h"
#include "tinyids_pre_offset_scale.h"
#include "tinyids_pre_minmax.h"
#include "tinyids_pre_standard.h"
#include "tinyids_pre_select.h"
#include "tinyids_pre_pca.h"
#include "tinyids_pre_l2.h"
#include "tinyids_pre_log1p.h"

#define ULP 1.2e-7f /* 2^-23 */

static const float os_min[3] TINYIDS_CONST = {1.0f, 0.0f, -1.0f};
static const float os_scale[3] TINYIDS_CONST = {2.0f, 0.5f, 0.25f};
static const float mm_scale[2] TINYIDS_CONST = {2.0f, 0.5f};
static const float mm_min[2] TINYIDS_CONST = {1.0f, -1.0f};
static const float st_mean[2] TINYIDS_CONST = {0.0f, 1.0f};
static const float st_scale[2] TINYIDS_CONST = {0.5f, 4.0f};
static const int16_t sel_idx[4] TINYIDS_CONST = {2, 0, 2, 1};
static const float pca_mean[2] TINYIDS_CONST = {1.0f, 0.0f};
static const float pca_comp[6] TINYIDS_CONST = {1.0f, 1.0f, 2.0f, -1.0f, 0.5f, 0.0f};
static const int16_t log_cols[2] TINYIDS_CONST = {0, 2};

int main(void)
{
    float y[4];
    int i;
    tt_begin("preprocess");

    {   /* (x - min) * scale */
        float x[3] = {1.0f, 2.0f, 3.0f};
        tinyids_pre_offset_scale(x, y, 3, os_min, os_scale);
        TT_EXACT(y[0], 0.0f);
        TT_EXACT(y[1], 1.0f);
        TT_EXACT(y[2], 1.0f);
        tinyids_pre_offset_scale(x, x, 3, os_min, os_scale); /* in place */
        TT_EXACT(x[0], 0.0f);
        TT_EXACT(x[2], 1.0f);
    }
    {   /* x * scale + min */
        const float x[2] = {1.0f, 2.0f};
        tinyids_pre_minmax(x, y, 2, mm_scale, mm_min);
        TT_EXACT(y[0], 3.0f);
        TT_EXACT(y[1], 0.0f);
    }
    {   /* (x - mean) / scale */
        const float x[2] = {1.0f, 2.0f};
        tinyids_pre_standard(x, y, 2, st_mean, st_scale);
        TT_EXACT(y[0], 2.0f);
        TT_EXACT(y[1], 0.25f);
    }
    {   /* select, indices may repeat */
        const float x[3] = {10.0f, 20.0f, 30.0f};
        tinyids_pre_select(x, y, 4, sel_idx);
        TT_EXACT(y[0], 30.0f);
        TT_EXACT(y[1], 10.0f);
        TT_EXACT(y[2], 30.0f);
        TT_EXACT(y[3], 20.0f);
    }
    {   /* (x - mean) @ components.T: (0, 2) -> (2, -2, 0) */
        const float x[2] = {1.0f, 2.0f};
        tinyids_pre_pca(x, y, 2, 3, pca_mean, pca_comp);
        TT_EXACT(y[0], 2.0f);
        TT_EXACT(y[1], -2.0f);
        TT_EXACT(y[2], 0.0f);
    }
    {   /* row L2 normalisation: a 3-4-5 row is exact; zero rows stay zero */
        float x[3] = {3.0f, 0.0f, -4.0f};
        const float zero[3] = {0.0f, 0.0f, 0.0f};
        tinyids_pre_l2(x, y, 3);
        TT_EXACT(y[0], 3.0f / 5.0f);
        TT_EXACT(y[1], 0.0f);
        TT_EXACT(y[2], -4.0f / 5.0f);
        tinyids_pre_l2(x, x, 3);
        TT_EXACT(x[0], 3.0f / 5.0f);
        y[0] = y[1] = y[2] = 9.0f;
        tinyids_pre_l2(zero, y, 3);
        for (i = 0; i < 3; ++i) {
            TT_EXACT(y[i], 0.0f);
        }
    }
    {   /* Newton's square root: exact squares, and both ends of the float range */
        TT_EXACT(tinyids_sqrtf(25.0f), 5.0f);
        TT_EXACT(tinyids_sqrtf(4.0f), 2.0f);
        TT_EXACT(tinyids_sqrtf(0.25f), 0.5f);
        TT_EXACT(tinyids_sqrtf(1.0f), 1.0f);
        TT_EXACT(tinyids_sqrtf(1048576.0f), 1024.0f);
        TT_NEAR(tinyids_sqrtf(2.0f), 1.41421356f, ULP);
        TT_NEAR(tinyids_sqrtf(1e30f), 1e15f, ULP);
        TT_NEAR(tinyids_sqrtf(3.0e38f), 1.7320508e19f, ULP);  /* 64 halvings before converging */
        TT_NEAR(tinyids_sqrtf(1e-30f), 1e-15f, ULP);
        TT_NEAR(tinyids_sqrtf(1.5e-37f), 3.8729833e-19f, ULP);
    }
    {   /* log1p of columns 0 and 2; column 1 passes through */
        float x[3] = {0.0f, 5.0f, 1.0f};
        tinyids_pre_log1p(x, y, 3, log_cols, 2);
        TT_EXACT(y[0], 0.0f);
        TT_EXACT(y[1], 5.0f);
        TT_NEAR(y[2], 0.69314718f, 1e-6f);
        tinyids_pre_log1p(x, x, 3, log_cols, 2);
        TT_NEAR(x[2], 0.69314718f, 1e-6f);
        TT_NEAR(tinyids_log1pf(1e-10f), 1e-10f, 1e-6f); /* no cancellation near 0 */
        TT_NEAR(tinyids_log1pf(1e-4f), 9.9995e-5f, 1e-6f);
        TT_NEAR(tinyids_log1pf(1.718281828f), 1.0f, 1e-6f);
        TT_NEAR(tinyids_log1pf(1e6f), 13.815511f, 1e-6f);
        TT_NEAR(tinyids_log1pf(-0.5f), -0.69314718f, 1e-6f);
    }
    return tt_end();
}
