"""One emitter per TFLite operator: ``emit(emitter, op, src, dst)`` checks the operator,
declares its constants, asks for its kernel and appends its call to ``predict()``."""

from tinyids.codegen.ops import conv_2d, fully_connected, logistic, max_pool_2d, softmax

EMITTERS = {
    "FULLY_CONNECTED": fully_connected.emit,
    "CONV_2D": conv_2d.emit,
    "MAX_POOL_2D": max_pool_2d.emit,
    "SOFTMAX": softmax.emit,
    "LOGISTIC": logistic.emit,
}

__all__ = ["EMITTERS"]
