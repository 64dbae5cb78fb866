"""Simpler graphs for the bundled PP-OCR models, rewritten in memory when they load.

The Paddle-to-ONNX export spells each hard-swish as four passes over the tensor
(x + 3, clip to 0..6, times x, / 6) and each "learnable affine" scale and shift after
a convolution as two more; onnxruntime fuses none of them, and they took over a third
of the recognizer's time. Here a convolution followed by a constant scale and shift
takes them into its weights, and a hard-swish becomes x * HardSigmoid(x) (the same
function; HardSwish itself needs opset 14, the models are opset 12)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np


def simplified(path: Path) -> bytes:
    """The model at ``path``, rewritten, as bytes for an InferenceSession."""
    import onnx

    model = onnx.load(str(path))
    _Rewriter(model.graph).run()
    return model.SerializeToString()


class _Rewriter:
    def __init__(self, graph):
        from onnx import numpy_helper

        self.graph = graph
        self.consts: dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        for node in graph.node:
            if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
                self.consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        self.outputs = {o.name for o in graph.output}

    def run(self) -> None:
        self._fold_affine_into_conv()
        self._fold_affine_into_next_conv()
        self._hard_swish()
        self._drop_unused_constants()
        self._constants_to_initializers()

    def _users(self) -> dict[str, list]:
        users = defaultdict(list)
        for node in self.graph.node:
            for name in node.input:
                users[name].append(node)
        return users

    def _const_operand(self, node, other: str):
        """The constant operand of a binary ``node`` whose other operand is ``other``."""
        if len(node.input) != 2 or other not in node.input:
            return None
        name = node.input[1] if node.input[0] == other else node.input[0]
        return self.consts.get(name)

    def _sole_user(self, users, name: str, op: str):
        nodes = users.get(name, [])
        if len(nodes) == 1 and nodes[0].op_type == op and name not in self.outputs:
            return nodes[0]
        return None

    def _set_const(self, name: str, value: np.ndarray) -> None:
        from onnx import numpy_helper

        self.consts[name] = value
        self.graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), name))

    def _fold_affine_into_conv(self) -> None:
        """Conv -> Mul(const) -> Add(const), the constants per output channel or scalar:
        the convolution's weights and bias take the scale and the shift."""
        users = self._users()
        drop = set()
        for conv in list(self.graph.node):
            if conv.op_type != "Conv" or conv.input[1] not in self.consts:
                continue
            mul = self._sole_user(users, conv.output[0], "Mul")
            if mul is None:
                continue
            add = self._sole_user(users, mul.output[0], "Add")
            if add is None:
                continue
            weight = self.consts[conv.input[1]]
            channels = weight.shape[0]
            scale = _per_channel(self._const_operand(mul, conv.output[0]), channels)
            shift = _per_channel(self._const_operand(add, mul.output[0]), channels)
            if scale is None or shift is None:
                continue
            bias = self.consts.get(conv.input[2]) if len(conv.input) > 2 else None
            if len(conv.input) > 2 and bias is None:
                continue
            bias = np.zeros(channels, np.float32) if bias is None else bias
            w_name, b_name = conv.output[0] + "_folded_w", conv.output[0] + "_folded_b"
            self._set_const(w_name, weight * scale.reshape(-1, *([1] * (weight.ndim - 1))))
            self._set_const(b_name, bias * scale + shift)
            del conv.input[1:]
            conv.input.extend([w_name, b_name])
            conv.output[0] = add.output[0]
            drop.update((_key(mul), _key(add)))
        self._remove(drop)

    def _fold_affine_into_next_conv(self) -> None:
        """Mul(x, const) -> Add(const) -> Conv without padding, the constants scalar: the
        convolution's weights take the scale, its bias the shift (summed over the
        kernel). With zero padding the borders would differ, so padded ones are left."""
        users = self._users()
        drop = set()
        for mul in list(self.graph.node):
            if mul.op_type != "Mul" or len(mul.input) != 2:
                continue
            x = next((i for i in mul.input if i not in self.consts), None)
            scale = self._const_operand(mul, x) if x is not None else None
            add = self._sole_user(users, mul.output[0], "Add")
            if scale is None or scale.size != 1 or add is None:
                continue
            shift = self._const_operand(add, mul.output[0])
            conv = self._sole_user(users, add.output[0], "Conv")
            if shift is None or shift.size != 1 or conv is None or conv.input[0] != add.output[0]:
                continue
            if conv.input[1] not in self.consts or (len(conv.input) > 2 and conv.input[2] not in self.consts):
                continue
            attrs = {a.name: a for a in conv.attribute}
            if any(attrs["pads"].ints) if "pads" in attrs else False:
                continue
            if "auto_pad" in attrs and attrs["auto_pad"].s not in (b"", b"NOTSET", b"VALID"):
                continue
            weight = self.consts[conv.input[1]]
            bias = self.consts[conv.input[2]] if len(conv.input) > 2 else np.zeros(weight.shape[0], np.float32)
            w_name, b_name = conv.output[0] + "_prefolded_w", conv.output[0] + "_prefolded_b"
            self._set_const(w_name, weight * _scalar(scale))
            self._set_const(b_name, bias + _scalar(shift) * weight.sum(axis=tuple(range(1, weight.ndim))))
            conv.input[0] = x
            del conv.input[1:]
            conv.input.extend([w_name, b_name])
            drop.update((_key(mul), _key(add)))
        self._remove(drop)

    def _hard_swish(self) -> None:
        """Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(., 6)  becomes  Mul(x, HardSigmoid(x))."""
        from onnx import helper

        users = self._users()
        drop, new = set(), {}
        for add in list(self.graph.node):
            if add.op_type != "Add" or len(add.input) != 2:
                continue
            for x in add.input:
                three = self._const_operand(add, x)
                if three is not None and three.size == 1 and _scalar(three) == 3.0:
                    break
            else:
                continue
            clip = self._sole_user(users, add.output[0], "Clip")
            if clip is None or len(clip.input) != 3:
                continue
            lo, hi = self.consts.get(clip.input[1]), self.consts.get(clip.input[2])
            if lo is None or hi is None or _scalar(lo) != 0.0 or _scalar(hi) != 6.0:
                continue
            mul = self._sole_user(users, clip.output[0], "Mul")
            if mul is None or set(mul.input) != {x, clip.output[0]}:
                continue
            div = self._sole_user(users, mul.output[0], "Div")
            if div is None or div.input[0] != mul.output[0]:
                continue
            six = self.consts.get(div.input[1])
            if six is None or six.size != 1 or _scalar(six) != 6.0:
                continue
            gate = add.output[0] + "_hardsigmoid"
            new[add.output[0]] = [
                helper.make_node("HardSigmoid", [x], [gate], alpha=1 / 6, beta=0.5),
                helper.make_node("Mul", [x, gate], [div.output[0]]),
            ]
            drop.update((_key(clip), _key(mul), _key(div)))
        nodes = []
        for node in self.graph.node:
            if node.output[0] in new:
                nodes.extend(new[node.output[0]])
            elif _key(node) not in drop:
                nodes.append(node)
        self._replace_nodes(nodes)

    def _remove(self, drop: set[tuple[str, str]]) -> None:
        self._replace_nodes([n for n in self.graph.node if _key(n) not in drop])

    def _replace_nodes(self, nodes: list) -> None:
        from onnx import NodeProto

        copies = []
        for node in nodes:
            copy = NodeProto()
            copy.CopyFrom(node)
            copies.append(copy)
        del self.graph.node[:]
        self.graph.node.extend(copies)

    def _constants_to_initializers(self) -> None:
        """Constant nodes become initializers (tools such as onnxruntime's quantizer
        look for weights there)."""
        from onnx import numpy_helper

        keep = []
        for node in self.graph.node:
            if node.op_type == "Constant" and node.output[0] in self.consts:
                self.graph.initializer.append(numpy_helper.from_array(self.consts[node.output[0]],
                                                                      node.output[0]))
            else:
                keep.append(node)
        self._replace_nodes(keep)

    def _drop_unused_constants(self) -> None:
        used = {name for node in self.graph.node for name in node.input} | self.outputs
        self._replace_nodes([n for n in self.graph.node if n.op_type != "Constant" or n.output[0] in used])
        from onnx import TensorProto

        inits = []
        for init in self.graph.initializer:
            if init.name in used:
                copy = TensorProto()
                copy.CopyFrom(init)
                inits.append(copy)
        del self.graph.initializer[:]
        self.graph.initializer.extend(inits)


def _per_channel(value: np.ndarray | None, channels: int) -> np.ndarray | None:
    """``value`` as one number per output channel, if it broadcasts that way over NCHW."""
    if value is None:
        return None
    value = np.asarray(value, np.float32)
    if value.size == 1:
        return np.full(channels, _scalar(value), np.float32)
    if value.size == channels and value.ndim >= 3 and value.shape[-1] == 1 and value.shape[-2] == 1:
        return value.reshape(channels)
    return None


def _key(node) -> tuple[str, str]:
    """A node by its kind and first output (a folded Conv takes over its Add's output)."""
    return node.op_type, node.output[0]


def _scalar(value: np.ndarray) -> float:
    return float(np.asarray(value).reshape(-1)[0]) if np.asarray(value).size == 1 else float("nan")
