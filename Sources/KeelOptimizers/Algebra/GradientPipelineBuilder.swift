/// Builds a statically typed pipeline from a list of transforms: `A; B; C` becomes
/// `Chain<Chain<A, B>, C>`, applied top to bottom.
///
/// Every transform in the block must have the same `Scalar`. A block with a single transform
/// builds that transform itself.
///
/// ```swift
/// let pipeline = Chain {
///     GlobalNormClipper<Double>(maxNorm: 1)
///     Scale<Double>(-0.1)
/// }
/// ```
@resultBuilder
public enum GradientPipelineBuilder {
    /// The first transform of a block, as is.
    public static func buildPartialBlock<T: GradientTransform>(first: T) -> T { first }

    /// The pipeline so far, followed by `next`.
    public static func buildPartialBlock<Accumulated: GradientTransform, Next: GradientTransform>(
        accumulated: Accumulated, next: Next
    ) -> Chain<Accumulated, Next> where Accumulated.Scalar == Next.Scalar {
        Chain(accumulated, next)
    }
}

/// The transform a ``GradientPipelineBuilder`` block describes (one transform, or a ``Chain`` of
/// several), for when the block may hold a single transform.
public func gradientPipeline<T: GradientTransform>(@GradientPipelineBuilder _ content: () -> T) -> T {
    content()
}
