extension MonitorSet {
    private enum CodingKeys: String, CodingKey {
        case monitors, attributor, attributeWarnings
    }

    private enum MemberKeys: String, CodingKey {
        case type, state
    }

    /// Encodes the members as `[{"type": tag, "state": {…}}]` (see ``MonitorRegistry``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var members = container.nestedUnkeyedContainer(forKey: .monitors)
        for monitor in monitors {
            var member = members.nestedContainer(keyedBy: MemberKeys.self)
            try member.encode(String(describing: type(of: monitor)), forKey: .type)
            try member.encode(monitor, forKey: .state)
        }
        try container.encodeIfPresent(attributor, forKey: .attributor)
        try container.encode(attributeWarnings, forKey: .attributeWarnings)
    }

    /// Decodes members by tag with the registry in `userInfo[MonitorRegistry.userInfoKey]`, or
    /// ``MonitorRegistry/builtIns``.
    public init(from decoder: any Decoder) throws {
        let registry = decoder.userInfo[MonitorRegistry.userInfoKey] as? MonitorRegistry ?? .builtIns
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var members = try container.nestedUnkeyedContainer(forKey: .monitors)
        var monitors: [any Monitor] = []
        while !members.isAtEnd {
            let member = try members.nestedContainer(keyedBy: MemberKeys.self)
            let tag = try member.decode(String.self, forKey: .type)
            monitors.append(try registry.decode(tag: tag, from: member.superDecoder(forKey: .state), codingPath: member.codingPath))
        }
        self.init(
            monitors, attributor: try container.decodeIfPresent(ExplosionAttributor.self, forKey: .attributor),
            attributeWarnings: try container.decode(Bool.self, forKey: .attributeWarnings))
    }
}
