import CJSONC

/// The only place that calls json-c. Parses one complete document and converts it into a
/// ``JSONValue``; every json-c object is released before returning.
enum JSONCDocument {
    /// Parses exactly `bytes` (non-empty, already size- and UTF-8-checked) as one JSON value.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else {
            throw JSONParseError(kind: .syntax("empty input at byte 0"), offset: 0)
        }
        // json-c counts a scalar inside the innermost container as one more level; the
        // container limit itself is enforced by JSONPrescan, this is only a safety net.
        guard let tokener = json_tokener_new_ex(Int32(maxDepth + 2)) else {
            throw JSONParseError(kind: .syntax("json-c could not allocate a tokener"))
        }
        defer { json_tokener_free(tokener) }
        json_tokener_set_flags(tokener, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8)

        let length = bytes.count
        var root = json_tokener_parse_ex(tokener, base, Int32(length))
        var error = json_tokener_get_error(tokener)
        var end = json_tokener_get_parse_end(tokener)

        if error == json_tokener_continue && end == length {
            // A bare top-level number or literal ("123", "true") needs a terminator to finish.
            root = json_tokener_parse_ex(tokener, " ", 1)
            error = json_tokener_get_error(tokener)
            end = error == json_tokener_success ? length : length + json_tokener_get_parse_end(tokener)
        }
        defer { if root != nil { json_object_put(root) } }

        guard error == json_tokener_success else {
            throw failure(error, at: min(end, length), length: length, maxDepth: maxDepth)
        }
        if end < length && !isWhitespace(bytes, from: end) {
            throw JSONParseError(kind: .syntax("unexpected data after the JSON value at byte \(end)"), offset: end)
        }
        return try convert(root)
    }

    private static func failure(
        _ error: json_tokener_error, at offset: Int, length: Int, maxDepth: Int
    ) -> JSONParseError {
        switch error {
        case json_tokener_error_depth:
            return JSONParseError(kind: .tooDeep(limit: maxDepth), offset: offset)
        case json_tokener_error_parse_utf8_string:
            return JSONParseError(kind: .invalidUTF8, offset: offset)
        case json_tokener_continue:
            // json-c stops at a NUL byte or at the end without a complete value.
            let what = offset < length ? "unexpected NUL byte" : "unexpected end of input"
            return JSONParseError(kind: .syntax("\(what) at byte \(offset)"), offset: offset)
        default:
            let description = String(cString: json_tokener_error_desc(error))
            return JSONParseError(kind: .syntax("\(description) at byte \(offset)"), offset: offset)
        }
    }

    private static func isWhitespace(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        bytes[start...].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    // MARK: - Conversion

    /// Converts a json-c object (nil is JSON null). Recursion depth is bounded by `maxDepth`.
    private static func convert(_ object: OpaquePointer?) throws(JSONParseError) -> JSONValue {
        guard let object else { return .null }
        switch json_object_get_type(object) {
        case json_type_boolean:
            return .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            let value = json_object_get_int64(object)
            if value == Int64.max {
                // A uint64 above Int64.max is reported clamped; keep its magnitude as a double.
                let unsigned = json_object_get_uint64(object)
                if unsigned > UInt64(Int64.max) { return .double(Double(unsigned)) }
            }
            return .int(value)
        case json_type_double:
            // A number beyond Double's range (1e400) would come back as infinity and could only
            // be written out again as something else: refuse it rather than alter a ticket.
            let value = json_object_get_double(object)
            guard value.isFinite else {
                throw JSONParseError(kind: .syntax("number out of range for a 64-bit float (\(value > 0 ? "" : "-")1e308 at most)"))
            }
            return .double(value)
        case json_type_string:
            return .string(string(object))
        case json_type_array:
            let count = json_object_array_length(object)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                elements.append(try convert(json_object_array_get_idx(object, index)))
            }
            return .array(elements)
        case json_type_object:
            return .object(try convertObject(object))
        default:
            return .null
        }
    }

    private static func convertObject(_ object: OpaquePointer) throws(JSONParseError) -> JSONObject {
        var members: [JSONObject.Element] = []
        guard let table = json_object_get_object(object) else { return JSONObject() }
        members.reserveCapacity(Int(table.pointee.count))
        var entry = lh_table_head(table)
        while let current = entry {
            let key = lh_entry_k(current).map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
            let value = try convert(OpaquePointer(lh_entry_v(current)))
            members.append((key, value))
            entry = lh_entry_next(current)
        }
        return JSONObject(uniqueMembers: members)
    }

    private static func string(_ object: OpaquePointer) -> String {
        guard let pointer = json_object_get_string(object) else { return "" }
        let length = Int(json_object_get_string_len(object))
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
