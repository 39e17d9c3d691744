/// Keeps every event in memory, in order: the sink for tests.
public final class InMemoryEventSink: EventSink {
    /// The events received, oldest first.
    public private(set) var events: [TrainingEvent] = []

    /// An empty sink.
    public init() {}

    public func receive(_ event: TrainingEvent) {
        events.append(event)
    }

    /// The received events whose JSON `type` is `type` (e.g. `"monitorFired"`).
    public func events(ofType type: String) -> [TrainingEvent] {
        events.filter { $0.type == type }
    }

    /// Forgets every event.
    public func removeAll() {
        events.removeAll()
    }
}
