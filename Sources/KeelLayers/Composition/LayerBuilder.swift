/// The result builder behind ``Sequential``: each statement is a layer, and the block becomes a
/// statically typed ``LayerChain`` (`ChainedLayers<ChainedLayers<ChainLink<A>, B>, C>`), like SwiftUI's
/// `buildPartialBlock`-based builders.
@resultBuilder
public enum LayerBuilder {
    /// The chain of the first layer.
    public static func buildPartialBlock<First: Layer>(first: First) -> ChainLink<First> {
        ChainLink(first)
    }

    /// The chain so far followed by the next layer.
    public static func buildPartialBlock<Head: LayerChain, Next: Layer>(accumulated: Head, next: Next) -> ChainedLayers<Head, Next>
    where Head.Scalar == Next.Scalar {
        ChainedLayers(accumulated, next)
    }
}
