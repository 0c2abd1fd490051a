/* tinyids model adapter interface: what the application needs from a model folder.
 *
 * A model folder (TINYIDS_MODEL_DIR, written by tinyids.firmware.adapter) holds
 *   tinyids_model_config.h  TINYIDS_MODEL_NAME, TINYIDS_N_FEATURES, TINYIDS_FEATURE_BYTES (1 int8,
 *                           4 float), TINYIDS_N_VECTORS, TINYIDS_N_CLASSES
 *   adapter.c               int tinyids_model_infer(const void *in): class index of one vector
 *   vectors.c               the test vectors and labels, in flash
 *   the model's own C       (code generator output, emlearn export, linear arrays, or the fixture)
 */
#ifndef TINYIDS_MODEL_H
#define TINYIDS_MODEL_H

#include <stdint.h>
#include "tinyids_hal.h"
#include "tinyids_model_config.h"

int tinyids_model_infer(const void *in);

extern const uint8_t tinyids_vectors[] TINYIDS_FLASH; /* N_VECTORS * N_FEATURES * FEATURE_BYTES */
extern const uint8_t tinyids_labels[] TINYIDS_FLASH;  /* N_VECTORS true labels */

#endif
