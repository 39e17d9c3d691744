/// Receives the ``TrainingEvent`` stream of a run.
///
/// Sinks are reference types: they own files and terminals, and the trainer shares them. Events
/// arrive in order, from one thread at a time (the trainer's); a sink is not required to be
/// thread-safe.
///
/// ## Implementation requirements
/// - ``receive(_:)`` handles every event type it cares about and ignores the rest.
/// - Errors name what failed (a path, a reason) so the trainer can report them.
/// - After ``flush()`` returns, every received event is durable (on disk, on screen).
///
/// A sink can be checked with ``InMemoryEventSink`` as the oracle:
///
///     let events: [TrainingEvent] = [...]
///     for event in events { try sink.receive(event) }
///     try sink.flush()
///     // read back what the sink wrote and compare with `events`
public protocol EventSink: AnyObject {
    /// Handles one event.
    func receive(_ event: TrainingEvent) throws
    /// Makes everything received so far durable. The default does nothing.
    func flush() throws
}

extension EventSink {
    public func flush() throws {}
}
