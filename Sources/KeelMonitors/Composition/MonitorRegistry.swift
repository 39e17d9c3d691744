import Foundation

/// Maps type tags to decoders so a ``MonitorSet`` of heterogeneous monitors (`[any Monitor]`) can
/// be decoded.
///
/// **Why a registry.** An enum wrapper would close the set to the built-ins; a registry keeps
/// `MonitorSet` open to user monitors. Each member is encoded as `{"type": tag, "state": {…}}`
/// where the tag is the type's name (`String(describing: T.self)`). Decoding looks the tag up in
/// the registry passed in `decoder.userInfo[MonitorRegistry.userInfoKey]`, or in ``builtIns``
/// when none is passed; an unknown tag throws a `DecodingError` that names it.
public struct MonitorRegistry: Sendable {
    /// The `userInfo` key under which decoders look for a registry.
    public static let userInfoKey = CodingUserInfoKey(rawValue: "keel.monitorRegistry")!

    /// Decoders by type tag.
    public private(set) var decoders: [String: @Sendable (any Decoder) throws -> any Monitor] = [:]

    /// An empty registry.
    public init() {}

    /// The registry of every monitor in this module.
    public static var builtIns: MonitorRegistry {
        var registry = MonitorRegistry()
        registry.register(NonFiniteMonitor.self)
        registry.register(GradientExplosionMonitor.self)
        registry.register(LossSpikeMonitor.self)
        registry.register(VanishingGradientMonitor.self)
        registry.register(GradientNormTracker.self)
        registry.register(RecurrentDynamicsMonitor.self)
        registry.register(GradientFlowMonitor.self)
        registry.register(ExplosionAttributor.self)
        registry.register(MonitorSet.self)
        return registry
    }

    /// The tag a monitor type is encoded with.
    public static func tag<M: Monitor>(for type: M.Type) -> String { String(describing: type) }

    /// Adds (or replaces) the decoder for `type`.
    public mutating func register<M: Monitor>(_ type: M.Type) {
        decoders[Self.tag(for: type)] = { try M(from: $0) }
    }

    /// Decodes a monitor by its tag.
    func decode(tag: String, from decoder: any Decoder, codingPath: [any CodingKey]) throws -> any Monitor {
        guard let decode = decoders[tag] else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "unknown monitor type \"\(tag)\"; register it in a MonitorRegistry passed as userInfo[MonitorRegistry.userInfoKey]"))
        }
        return try decode(decoder)
    }
}
