extension Sequence<any EventSink> {
    /// Calls `body` with every sink, in order, even after one throws, then rethrows the first
    /// error: one failing sink (a full disk) must not cost the others their events.
    ///
    /// The one delivery loop behind ``MultiplexEventSink`` and the trainer's event and flush paths.
    package func forEachSink(_ body: (any EventSink) throws -> Void) throws {
        var firstError: (any Error)?
        for sink in self {
            do { try body(sink) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
