extension JSONValue {
    /// Compact JSON for this value, as UTF-8 bytes (see ``JSONWriter``).
    public func serializedBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// Compact JSON for this value.
    public func serializedString() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }
}

extension JSONObject {
    /// Compact JSON for this object, as UTF-8 bytes.
    public func serializedBytes() -> [UInt8] {
        JSONValue.object(self).serializedBytes()
    }
}
