// A whole-sequence kernel run split in three: prepare (allocate, fill the arguments), run (one C
// call, possibly for several layers at once), finish (wrap the buffers as the cell's results). A
// single layer does all three in a row; `StackedRecurrent` prepares every layer, runs them as one
// wavefront and finishes each, so the stack never waits for a whole layer before starting the next.

/// Where the input of a prepared whole-sequence kernel run comes from.
public enum SequenceKernelInput<Scalar: TensorScalar> {
    /// A time-major sequence, `[T, batch, inputSize]`.
    case sequence(Tensor<Scalar>)
    /// Step t, batch row b reads row `indices[t·batch + b]` of `table` (`[vocabulary, inputSize]`,
    /// an embedding), as `Cell.forwardSequence(indices:table:timeSteps:batchSize:initialState:)`.
    case tokens(indices: [Int], table: Tensor<Scalar>)
    /// The outputs of the layer below in the same kernel call (with its dropout mask applied),
    /// which the kernel writes step by step.
    case layerBelow
}

/// A cell's whole-sequence forward, prepared (buffers allocated, kernel arguments filled) but not
/// run, so that a stack can run the kernels of all its layers in one call: layer l at step t needs
/// only layer l − 1 at step t and itself at step t − 1, so the layers' steps overlap (a
/// wavefront). Made by ``Cell/sequenceKernelForward(_:timeSteps:batchSize:initialState:)``, run
/// and finished by the stack; opaque outside Keel.
public struct SequenceKernelForward<Scalar: TensorScalar, Result> {
    /// The kernel's arguments for this layer.
    package var buffers: Kernels.RecurrentLayerBuffers<Scalar>
    /// The results, once the kernel has run; keeps the buffers alive until then.
    package let finish: () -> Result

    package init(buffers: Kernels.RecurrentLayerBuffers<Scalar>, finish: @escaping () -> Result) {
        self.buffers = buffers
        self.finish = finish
    }

    /// The same run with its results transformed (a layer wrapping its cell's results).
    package func map<Other>(_ transform: @escaping (Result) -> Other) -> SequenceKernelForward<Scalar, Other> {
        let finish = self.finish
        return SequenceKernelForward<Scalar, Other>(buffers: buffers) { transform(finish()) }
    }
}

/// A cell's whole-sequence backward, prepared but not run; the counterpart of
/// ``SequenceKernelForward``. Finishing it adds ∂L/∂θ into the gradients and records into the
/// context (`Context`: the cell's `RecurrentBackwardContext` or a layer's `SequenceBackwardContext`).
public struct SequenceKernelBackward<Scalar: TensorScalar, Context, Result> {
    /// The kernel's arguments for this layer.
    package var buffers: Kernels.RecurrentLayerGradientBuffers<Scalar>
    /// The results, once the kernel has run.
    package let finish: (inout ParameterSet<Scalar>, inout Context) -> Result

    package init(
        buffers: Kernels.RecurrentLayerGradientBuffers<Scalar>, finish: @escaping (inout ParameterSet<Scalar>, inout Context) -> Result
    ) {
        self.buffers = buffers
        self.finish = finish
    }
}
