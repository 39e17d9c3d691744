// A whole-sequence kernel run split in four: describe (the shape), prepare (allocate, fill the
// arguments), run (one C call, possibly for several layers at once), finish (wrap the buffers as
// the cell's results). A single layer does all of them in a row; `StackedRecurrent` describes
// every layer, and when the kernels say a wavefront pays on this many threads, prepares them all,
// runs them as one wavefront and finishes each; otherwise its layers run one after another.

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

/// A cell's whole-sequence forward, described but not run, so that a stack can run the kernels of
/// all its layers in one call: layer l at step t needs only layer l − 1 at step t and itself at step
/// t − 1, so the layers' steps overlap (a wavefront). The stack reads every layer's shape, asks the
/// kernels whether a wavefront pays on this many threads, and only then prepares the buffers, runs
/// and finishes. Made by ``Cell/sequenceKernelForward(_:timeSteps:batchSize:initialState:)``;
/// opaque outside Keel.
public struct SequenceKernelForward<Scalar: TensorScalar, Result> {
    /// The buffers of a prepared run, and its results once the kernel has run.
    package struct Prepared {
        /// The kernel's arguments for this layer.
        package var buffers: Kernels.RecurrentLayerBuffers<Scalar>
        /// The results; keeps the buffers alive until then.
        package let finish: () -> Result

        package init(buffers: Kernels.RecurrentLayerBuffers<Scalar>, finish: @escaping () -> Result) {
            self.buffers = buffers
            self.finish = finish
        }
    }

    /// What the schedule depends on.
    package let shape: Kernels.RecurrentLayerShape
    /// Allocates the buffers and fills the kernel's arguments.
    package let prepare: () -> Prepared

    package init(shape: Kernels.RecurrentLayerShape, prepare: @escaping () -> Prepared) {
        self.shape = shape
        self.prepare = prepare
    }

    /// The same run with its results transformed (a layer wrapping its cell's results).
    package func map<Other>(_ transform: @escaping (Result) -> Other) -> SequenceKernelForward<Scalar, Other> {
        let prepare = self.prepare
        return SequenceKernelForward<Scalar, Other>(shape: shape) {
            let prepared = prepare()
            let finish = prepared.finish
            return .init(buffers: prepared.buffers) { transform(finish()) }
        }
    }
}

/// A cell's whole-sequence backward, described but not run; the counterpart of
/// ``SequenceKernelForward``. Finishing a prepared run adds ∂L/∂θ into the gradients and records
/// into the context (`Context`: the cell's `RecurrentBackwardContext` or a layer's
/// `SequenceBackwardContext`).
public struct SequenceKernelBackward<Scalar: TensorScalar, Context, Result> {
    /// The buffers of a prepared run, and how to finish it.
    package struct Prepared {
        /// The kernel's arguments for this layer.
        package var buffers: Kernels.RecurrentLayerGradientBuffers<Scalar>
        /// The results, once the kernel has run.
        package let finish: (inout ParameterSet<Scalar>, inout Context) -> Result

        package init(
            buffers: Kernels.RecurrentLayerGradientBuffers<Scalar>,
            finish: @escaping (inout ParameterSet<Scalar>, inout Context) -> Result
        ) {
            self.buffers = buffers
            self.finish = finish
        }
    }

    /// What the schedule depends on.
    package let shape: Kernels.RecurrentLayerShape
    /// Allocates the buffers and fills the kernel's arguments.
    package let prepare: () -> Prepared

    package init(shape: Kernels.RecurrentLayerShape, prepare: @escaping () -> Prepared) {
        self.shape = shape
        self.prepare = prepare
    }
}
