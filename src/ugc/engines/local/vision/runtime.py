"""Running the TFLite models with LiteRT: one interpreter per model and thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.vision.models import (
    FIX_HINT,
    ModelFile,
    ModelsUnavailable,
    models_dir,
    problem_with,
)

# An interpreter must not run in two threads at once; each worker thread gets its own
# (a few MB each). XNNPACK runs each on one thread: the worker pool already keeps both
# cores busy, and a single analysis is a chain of small models that gain little from two.
_THREADS_PER_INTERPRETER = 1


class _Interpreter(Protocol):
    def get_input_details(self) -> list[dict[str, Any]]: ...
    def get_output_details(self) -> list[dict[str, Any]]: ...
    def set_tensor(self, index: int, value: NDArray[np.float32]) -> None: ...
    def get_tensor(self, index: int) -> NDArray[np.float32]: ...
    def invoke(self) -> None: ...


_local = threading.local()
_checked: set[Path] = set()
_checked_lock = threading.Lock()


def _verified_path(model: ModelFile) -> Path:
    """The model's path, hashed once per process before its first use."""
    path = models_dir() / model.name
    with _checked_lock:
        if path not in _checked:
            problem = problem_with(model, path.parent)
            if problem is not None:
                raise ModelsUnavailable(f"Vision model {problem}: {FIX_HINT}.")
            _checked.add(path)
    return path


def _interpreter(model: ModelFile) -> _Interpreter:
    cache: dict[str, _Interpreter] | None = getattr(_local, "interpreters", None)
    if cache is None:
        cache = {}
        _local.interpreters = cache
    interpreter = cache.get(model.name)
    if interpreter is None:
        from ai_edge_litert.interpreter import Interpreter

        path = _verified_path(model)
        try:
            loaded = Interpreter(model_path=str(path), num_threads=_THREADS_PER_INTERPRETER)
            loaded.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelsUnavailable(f"Vision model {path} cannot be loaded: {FIX_HINT}.") from exc
        interpreter = cache[model.name] = loaded
    return interpreter


def run(model: ModelFile, tensor: NDArray[np.float32]) -> dict[str, NDArray[np.float32]]:
    """Run the model on one input tensor; its outputs by tensor name."""
    interpreter = _interpreter(model)
    (source,) = interpreter.get_input_details()
    interpreter.set_tensor(source["index"], np.ascontiguousarray(tensor, dtype=np.float32))
    interpreter.invoke()
    return {
        str(detail["name"]): interpreter.get_tensor(detail["index"]).copy()
        for detail in interpreter.get_output_details()
    }
