/*
 * LiteRT's CompiledModel C API timed natively, without Python: the host baseline that the
 * generated C is compared with (results/codegen/benchmark.csv).
 *
 *   litert_native MODEL.tflite ROWS.bin REPEATS
 *
 * ROWS.bin holds int8 input rows back to back (the model's input element count each). The
 * model is compiled on the CPU accelerator with no CPU options, i.e. LiteRT's default CPU path
 * (XNNPACK delegate, built-in kernels for what it leaves, one thread). Every row is first run
 * once untimed to record its int8 outputs; then each of REPEATS passes times
 *   "step": write the row into the input buffer (lock, memcpy, unlock), LiteRtRunCompiledModel,
 *           read the outputs (lock, memcpy, unlock), the whole pass timed at once, per row;
 *   "run":  LiteRtRunCompiledModel alone, timed per call (input written outside the timer),
 *           median over the rows;
 * and the best pass of each is printed, in JSON on stdout, with the recorded outputs. The
 * outputs of every timed pass are checked against the recorded ones.
 *
 * libLiteRt.so (the ai-edge-litert wheel) ships no headers: the declarations below are copied
 * from google-ai-edge/LiteRT litert/c/{litert_common,litert_layout,litert_model_types,
 * litert_environment,litert_model,litert_options,litert_compiled_model,litert_tensor_buffer}.h
 * at the 2.3.0 development head (the wheel's version); only the calls used here, with their
 * handles opaque and the ABI-stable structs as upstream defines them (sizes asserted).
 *
 * A failing call prints {"error": ..., "call": ..., "status": N, "status_name": ...} on stderr
 * and exits 3; bad arguments or files exit 2.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinyids_host_io.h"

/* ---- litert_common.h ---------------------------------------------------------------------- */
typedef struct LiteRtEnvironmentT *LiteRtEnvironment;
typedef struct LiteRtModelT *LiteRtModel;
typedef struct LiteRtSignatureT *LiteRtSignature;
typedef struct LiteRtTensorT *LiteRtTensor;
typedef struct LiteRtOptionsT *LiteRtOptions;
typedef struct LiteRtCompiledModelT *LiteRtCompiledModel;
typedef struct LiteRtTensorBufferT *LiteRtTensorBuffer;
typedef struct LiteRtTensorBufferRequirementsT *LiteRtTensorBufferRequirements;
typedef size_t LiteRtParamIndex;
typedef int LiteRtHwAcceleratorSet;
typedef int LiteRtStatus; /* enum; kLiteRtStatusOk = 0 */
enum { kLiteRtStatusOk = 0 };
enum { kLiteRtHwAcceleratorCpu = 1 << 0 };
typedef enum {
    kLiteRtTensorBufferLockModeRead = 0,
    kLiteRtTensorBufferLockModeWrite = 1,
    kLiteRtTensorBufferLockModeReadWrite = 2
} LiteRtTensorBufferLockMode;

/* ---- litert_layout.h, litert_model_types.h -------------------------------------------------- */
#define LITERT_TENSOR_MAX_RANK 8
typedef struct {
    unsigned int rank : 7;
    unsigned int has_strides : 1;
    int32_t dimensions[LITERT_TENSOR_MAX_RANK];
    uint32_t strides[LITERT_TENSOR_MAX_RANK];
} LiteRtLayout;
typedef enum { kLiteRtElementTypeInt8 = 9, kLiteRtElementTypeNone = 0 } LiteRtElementType;
typedef struct {
    LiteRtElementType element_type;
    LiteRtLayout layout;
} LiteRtRankedTensorType;
typedef enum { kLiteRtRankedTensorType = 0, kLiteRtUnrankedTensorType = 1 } LiteRtTensorTypeId;
/* struct sizes upstream asserts on 64-bit targets */
typedef char assert_layout_size[sizeof(LiteRtLayout) == 68 ? 1 : -1];
typedef char assert_layout_dims[offsetof(LiteRtLayout, dimensions) == 4 ? 1 : -1];
typedef char assert_ranked_size[sizeof(LiteRtRankedTensorType) == 72 ? 1 : -1];
typedef char assert_ranked_layout[offsetof(LiteRtRankedTensorType, layout) == 4 ? 1 : -1];

/* an environment option; only its size matters here (none are passed) */
typedef struct {
    int tag;
    struct { int type; union { int64_t i; double d; const void *p; } v; } value;
} LiteRtEnvOption;

/* ---- litert_environment.h ------------------------------------------------------------------- */
LiteRtStatus LiteRtCreateEnvironment(int num_options, const LiteRtEnvOption *options,
                                     LiteRtEnvironment *environment);
void LiteRtDestroyEnvironment(LiteRtEnvironment environment);

/* ---- litert_model.h ------------------------------------------------------------------------- */
LiteRtStatus LiteRtCreateModelFromFile(LiteRtEnvironment environment, const char *filename,
                                       LiteRtModel *model);
void LiteRtDestroyModel(LiteRtModel model);
LiteRtStatus LiteRtGetNumModelSignatures(LiteRtModel model, LiteRtParamIndex *num_signatures);
LiteRtStatus LiteRtGetModelSignature(LiteRtModel model, LiteRtParamIndex signature_index,
                                     LiteRtSignature *signature);
LiteRtStatus LiteRtGetNumSignatureInputs(LiteRtSignature signature, LiteRtParamIndex *num_inputs);
LiteRtStatus LiteRtGetNumSignatureOutputs(LiteRtSignature signature, LiteRtParamIndex *num_outputs);
LiteRtStatus LiteRtGetSignatureInputTensorByIndex(LiteRtSignature signature, LiteRtParamIndex input_idx,
                                                  LiteRtTensor *tensor);
LiteRtStatus LiteRtGetSignatureOutputTensorByIndex(LiteRtSignature signature, LiteRtParamIndex output_idx,
                                                   LiteRtTensor *tensor);
LiteRtStatus LiteRtGetTensorTypeId(LiteRtTensor tensor, LiteRtTensorTypeId *type_id);
LiteRtStatus LiteRtGetRankedTensorType(LiteRtTensor tensor, LiteRtRankedTensorType *ranked_tensor_type);

/* ---- litert_options.h ----------------------------------------------------------------------- */
LiteRtStatus LiteRtCreateOptions(LiteRtOptions *options);
void LiteRtDestroyOptions(LiteRtOptions options);
LiteRtStatus LiteRtSetOptionsHardwareAccelerators(LiteRtOptions options,
                                                  LiteRtHwAcceleratorSet hardware_accelerators);

/* ---- litert_compiled_model.h ---------------------------------------------------------------- */
LiteRtStatus LiteRtCreateCompiledModel(LiteRtEnvironment environment, LiteRtModel model,
                                       LiteRtOptions compilation_options, LiteRtCompiledModel *compiled_model);
void LiteRtDestroyCompiledModel(LiteRtCompiledModel compiled_model);
LiteRtStatus LiteRtGetCompiledModelInputBufferRequirements(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index, LiteRtParamIndex input_index,
    LiteRtTensorBufferRequirements *buffer_requirements);
LiteRtStatus LiteRtGetCompiledModelOutputBufferRequirements(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index, LiteRtParamIndex output_index,
    LiteRtTensorBufferRequirements *buffer_requirements);
LiteRtStatus LiteRtRunCompiledModel(LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index,
                                    size_t num_input_buffers, LiteRtTensorBuffer *input_buffers,
                                    size_t num_output_buffers, LiteRtTensorBuffer *output_buffers);
LiteRtStatus LiteRtCompiledModelResizeInputTensor(LiteRtCompiledModel compiled_model,
                                                  LiteRtParamIndex signature_index, LiteRtParamIndex input_index,
                                                  const int *dims, size_t dims_size);
LiteRtStatus LiteRtGetCompiledModelInputTensorLayout(LiteRtCompiledModel compiled_model,
                                                     LiteRtParamIndex signature_index, LiteRtParamIndex input_index,
                                                     LiteRtLayout *layout);
LiteRtStatus LiteRtGetCompiledModelOutputTensorLayouts(LiteRtCompiledModel compiled_model,
                                                       LiteRtParamIndex signature_index, size_t num_layouts,
                                                       LiteRtLayout *layouts, bool update_allocation);
LiteRtStatus LiteRtCompiledModelIsFullyAccelerated(LiteRtCompiledModel compiled_model, bool *fully_accelerated);

/* ---- litert_tensor_buffer.h ----------------------------------------------------------------- */
LiteRtStatus LiteRtCreateManagedTensorBufferFromRequirements(
    LiteRtEnvironment env, const LiteRtRankedTensorType *tensor_type,
    LiteRtTensorBufferRequirements requirements, LiteRtTensorBuffer *buffer);
LiteRtStatus LiteRtGetTensorBufferSize(LiteRtTensorBuffer tensor_buffer, size_t *size);
LiteRtStatus LiteRtLockTensorBuffer(LiteRtTensorBuffer tensor_buffer, void **host_mem_addr,
                                    LiteRtTensorBufferLockMode lock_mode);
LiteRtStatus LiteRtUnlockTensorBuffer(LiteRtTensorBuffer buffer);
void LiteRtDestroyTensorBuffer(LiteRtTensorBuffer buffer);

/* ---- the harness ---------------------------------------------------------------------------- */

static const char *status_name(LiteRtStatus s)
{
    switch (s) {
    case 0: return "kLiteRtStatusOk";
    case 1: return "kLiteRtStatusErrorInvalidArgument";
    case 2: return "kLiteRtStatusErrorMemoryAllocationFailure";
    case 3: return "kLiteRtStatusErrorRuntimeFailure";
    case 4: return "kLiteRtStatusErrorMissingInputTensor";
    case 5: return "kLiteRtStatusErrorUnsupported";
    case 6: return "kLiteRtStatusErrorNotFound";
    case 7: return "kLiteRtStatusErrorTimeoutExpired";
    case 8: return "kLiteRtStatusErrorWrongVersion";
    case 9: return "kLiteRtStatusErrorUnknown";
    case 10: return "kLiteRtStatusErrorAlreadyExists";
    case 100: return "kLiteRtStatusCancelled";
    case 500: return "kLiteRtStatusErrorFileIO";
    case 501: return "kLiteRtStatusErrorInvalidFlatbuffer";
    case 502: return "kLiteRtStatusErrorDynamicLoading";
    case 503: return "kLiteRtStatusErrorSerialization";
    case 504: return "kLiteRtStatusErrorCompilation";
    case 1000: return "kLiteRtStatusErrorIndexOOB";
    default: return "unknown status";
    }
}

static const char *g_model = "";

static void fail(const char *what, const char *call, int status)
{
    fprintf(stderr, "{\"error\": \"%s\", \"model\": \"%s\", \"call\": \"%s\", \"status\": %d, \"status_name\": \"%s\"}\n",
            what, g_model, call, status, status >= 0 ? status_name(status) : "");
    exit(3);
}

#define CHECK(call)                                          \
    do {                                                     \
        LiteRtStatus s_ = (call);                            \
        if (s_ != kLiteRtStatusOk) fail("LiteRT call failed", #call, s_); \
    } while (0)

/* the element type of a signature tensor (must be int8), its layout from the model */
static void int8_tensor(LiteRtSignature sig, int output, LiteRtParamIndex i, LiteRtRankedTensorType *type)
{
    LiteRtTensor t;
    LiteRtTensorTypeId id;
    if (output) CHECK(LiteRtGetSignatureOutputTensorByIndex(sig, i, &t));
    else CHECK(LiteRtGetSignatureInputTensorByIndex(sig, i, &t));
    CHECK(LiteRtGetTensorTypeId(t, &id));
    if (id != kLiteRtRankedTensorType) fail("tensor is not ranked", output ? "output" : "input", -1);
    CHECK(LiteRtGetRankedTensorType(t, type));
    if (type->element_type != kLiteRtElementTypeInt8)
        fail("tensor is not int8", output ? "output" : "input", (int)type->element_type);
}

static size_t elements(const LiteRtLayout *layout, const char *what)
{
    size_t n = 1;
    unsigned d;
    for (d = 0; d < layout->rank; ++d) {
        if (layout->dimensions[d] <= 0) fail("tensor has a dynamic dimension after resizing", what, -1);
        n *= (size_t)layout->dimensions[d];
    }
    return n;
}

static void write_row(LiteRtTensorBuffer buf, const int8_t *src, size_t n)
{
    void *p;
    CHECK(LiteRtLockTensorBuffer(buf, &p, kLiteRtTensorBufferLockModeWrite));
    memcpy(p, src, n);
    CHECK(LiteRtUnlockTensorBuffer(buf));
}

static void read_row(LiteRtTensorBuffer buf, int8_t *dst, size_t n)
{
    void *p;
    CHECK(LiteRtLockTensorBuffer(buf, &p, kLiteRtTensorBufferLockModeRead));
    memcpy(dst, p, n);
    CHECK(LiteRtUnlockTensorBuffer(buf));
}

int main(int argc, char **argv)
{
    LiteRtEnvironment env = NULL;
    LiteRtModel model = NULL;
    LiteRtOptions opts = NULL;
    LiteRtCompiledModel cm = NULL;
    LiteRtSignature sig;
    LiteRtParamIndex n_sig, n_in, n_out;
    LiteRtRankedTensorType in_type, out_type;
    LiteRtTensorBufferRequirements in_req, out_req;
    LiteRtTensorBuffer in_buf, out_buf;
    size_t nin, nout, in_bytes, out_bytes;
    long size, rows, r, k;
    int reps;
    int8_t *x, *ref, *got;
    double *run_t, best_step = -1.0, best_run = -1.0;
    bool fully = false;

    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL.tflite ROWS.bin REPEATS\n", argv[0]);
        return 2;
    }
    g_model = argv[1];
    reps = atoi(argv[3]);
    if (reps < 1) { fprintf(stderr, "REPEATS must be >= 1\n"); return 2; }

    CHECK(LiteRtCreateEnvironment(0, NULL, &env));
    CHECK(LiteRtCreateModelFromFile(env, argv[1], &model));
    CHECK(LiteRtGetNumModelSignatures(model, &n_sig));
    if (n_sig < 1) fail("model has no signature", "LiteRtGetNumModelSignatures", -1);
    CHECK(LiteRtGetModelSignature(model, 0, &sig));
    CHECK(LiteRtGetNumSignatureInputs(sig, &n_in));
    CHECK(LiteRtGetNumSignatureOutputs(sig, &n_out));
    if (n_in != 1 || n_out != 1) fail("model must have one input and one output", "signature 0", (int)(n_in * 100 + n_out));
    int8_tensor(sig, 0, 0, &in_type);
    int8_tensor(sig, 1, 0, &out_type);

    CHECK(LiteRtCreateOptions(&opts));
    CHECK(LiteRtSetOptionsHardwareAccelerators(opts, kLiteRtHwAcceleratorCpu));
    CHECK(LiteRtCreateCompiledModel(env, model, opts, &cm));
    CHECK(LiteRtCompiledModelIsFullyAccelerated(cm, &fully));
    /* a dynamic (-1) dimension, the batch of a converted Keras model, is resized to 1: one row
     * per run, as the Python interpreter and the generated C run it */
    {
        int dims[LITERT_TENSOR_MAX_RANK];
        unsigned d;
        bool dynamic = false;
        for (d = 0; d < in_type.layout.rank; ++d) {
            dims[d] = in_type.layout.dimensions[d] > 0 ? in_type.layout.dimensions[d] : 1;
            dynamic = dynamic || in_type.layout.dimensions[d] <= 0;
        }
        if (dynamic) CHECK(LiteRtCompiledModelResizeInputTensor(cm, 0, 0, dims, in_type.layout.rank));
    }
    CHECK(LiteRtGetCompiledModelInputTensorLayout(cm, 0, 0, &in_type.layout));
    CHECK(LiteRtGetCompiledModelOutputTensorLayouts(cm, 0, 1, &out_type.layout, true));
    nin = elements(&in_type.layout, "input");
    nout = elements(&out_type.layout, "output");
    CHECK(LiteRtGetCompiledModelInputBufferRequirements(cm, 0, 0, &in_req));
    CHECK(LiteRtGetCompiledModelOutputBufferRequirements(cm, 0, 0, &out_req));
    CHECK(LiteRtCreateManagedTensorBufferFromRequirements(env, &in_type, in_req, &in_buf));
    CHECK(LiteRtCreateManagedTensorBufferFromRequirements(env, &out_type, out_req, &out_buf));
    CHECK(LiteRtGetTensorBufferSize(in_buf, &in_bytes));
    CHECK(LiteRtGetTensorBufferSize(out_buf, &out_bytes));
    if (in_bytes < nin || out_bytes < nout) fail("tensor buffer smaller than its tensor", "LiteRtGetTensorBufferSize", -1);

    x = (int8_t *)slurp(argv[2], &size);
    if (size <= 0 || size % (long)nin != 0) {
        fprintf(stderr, "%s: %ld bytes is not a whole number of %lu-byte rows\n", argv[2], size, (unsigned long)nin);
        return 2;
    }
    rows = size / (long)nin;
    ref = (int8_t *)malloc((size_t)rows * nout);
    got = (int8_t *)malloc((size_t)rows * nout);
    run_t = (double *)malloc(sizeof(double) * (size_t)rows);
    if (!ref || !got || !run_t) { perror("malloc"); return 2; }

    /* one untimed pass: the outputs, and a warm-up */
    for (r = 0; r < rows; ++r) {
        write_row(in_buf, x + r * (long)nin, nin);
        CHECK(LiteRtRunCompiledModel(cm, 0, 1, &in_buf, 1, &out_buf));
        read_row(out_buf, ref + r * (long)nout, nout);
    }

    for (k = 0; k < reps; ++k) {
        double t0, t, med;
        /* the whole step per row, the pass timed at once */
        t0 = now_ns();
        for (r = 0; r < rows; ++r) {
            write_row(in_buf, x + r * (long)nin, nin);
            CHECK(LiteRtRunCompiledModel(cm, 0, 1, &in_buf, 1, &out_buf));
            read_row(out_buf, got + r * (long)nout, nout);
        }
        t = (now_ns() - t0) / (double)rows;
        if (best_step < 0 || t < best_step) best_step = t;
        if (memcmp(got, ref, (size_t)rows * nout) != 0) fail("outputs changed between passes", "step pass", -1);
        /* the run call alone, per row */
        for (r = 0; r < rows; ++r) {
            write_row(in_buf, x + r * (long)nin, nin);
            t0 = now_ns();
            CHECK(LiteRtRunCompiledModel(cm, 0, 1, &in_buf, 1, &out_buf));
            run_t[r] = now_ns() - t0;
            read_row(out_buf, got + r * (long)nout, nout);
        }
        if (memcmp(got, ref, (size_t)rows * nout) != 0) fail("outputs changed between passes", "run pass", -1);
        qsort(run_t, (size_t)rows, sizeof(double), cmp_double);
        med = run_t[rows / 2];
        if (best_run < 0 || med < best_run) best_run = med;
    }

    printf("{\"rows\": %ld, \"repeats\": %d, \"input_size\": %lu, \"output_size\": %lu, "
           "\"fully_accelerated\": %s, \"step_ns_per_sample\": %.3f, \"run_median_ns\": %.3f, \"outputs\": [",
           rows, reps, (unsigned long)nin, (unsigned long)nout, fully ? "true" : "false", best_step, best_run);
    for (r = 0; r < rows * (long)nout; ++r) printf(r ? ",%d" : "%d", (int)ref[r]);
    printf("]}\n");

    LiteRtDestroyTensorBuffer(in_buf);
    LiteRtDestroyTensorBuffer(out_buf);
    LiteRtDestroyCompiledModel(cm);
    LiteRtDestroyOptions(opts);
    LiteRtDestroyModel(model);
    LiteRtDestroyEnvironment(env);
    free(x);
    free(ref);
    free(got);
    free(run_t);
    return 0;
}
