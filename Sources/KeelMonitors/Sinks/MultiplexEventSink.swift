/// Forwards every event to several sinks, in order.
///
/// Every sink receives every event even when an earlier one throws; the first error is rethrown
/// after all have been tried.
public final class MultiplexEventSink: EventSink {
    /// The sinks, in delivery order.
    public private(set) var sinks: [any EventSink]

    /// A multiplexer over `sinks`.
    public init(_ sinks: [any EventSink]) {
        self.sinks = sinks
    }

    /// Adds a sink at the end.
    public func append(_ sink: any EventSink) {
        sinks.append(sink)
    }

    public func receive(_ event: TrainingEvent) throws {
        try sinks.forEachSink { try $0.receive(event) }
    }

    public func flush() throws {
        try sinks.forEachSink { try $0.flush() }
    }
}
