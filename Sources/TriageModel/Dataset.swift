import Foundation

/// Reads labelled tickets from CSV (with a header row) or JSONL (one flat object per line).
public enum Dataset {
    public enum Format: String, Sendable { case csv, jsonl }

    /// Loads `path`; the format follows the extension (.jsonl/.ndjson/.json are JSONL, anything else CSV).
    /// Rows with an empty text or label are skipped. Errors name the file, the column or the line.
    public static func load(path: String, textColumn: String = "text", labelColumn: String = "category") throws -> [LabeledText] {
        let records = try readRecords(path: path)
        return try labelled(records, path: path, textColumn: textColumn, labelColumn: labelColumn)
    }

    /// Loads only the text column (for prediction input files); the label is left empty.
    public static func loadTexts(path: String, textColumn: String = "text") throws -> [String] {
        let records = try readRecords(path: path)
        guard let first = records.first else { throw ModelError(.emptyData, "\(path) has no data rows") }
        guard first.keys.contains(textColumn) || records.contains(where: { $0[textColumn] != nil }) else {
            throw ModelError(.missingColumn, "\(path) has no column \"\(textColumn)\" (columns: \(first.keys.sorted().joined(separator: ", ")))")
        }
        return records.compactMap { $0[textColumn] }
    }

    public static func format(ofPath path: String) -> Format {
        let lower = path.lowercased()
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") ? .jsonl : .csv
    }

    /// Every row of a CSV (with a header) or JSONL file, as column → value (for `triage replay`).
    public static func readRecords(path: String) throws -> [[String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelError(.fileNotFound, "data file \(path) does not exist") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError(.unreadable, "data file \(path) cannot be read") }
        let text = String(decoding: data, as: UTF8.self)
        switch format(ofPath: path) {
        case .csv: return try CSVReader.records(text, path: path)
        case .jsonl: return try JSONLReader.records(text, path: path)
        }
    }

    static func labelled(_ records: [[String: String]], path: String, textColumn: String, labelColumn: String) throws -> [LabeledText] {
        guard !records.isEmpty else { throw ModelError(.emptyData, "\(path) has no data rows") }
        let columns = Set(records.prefix(100).flatMap(\.keys))
        for column in [textColumn, labelColumn] where !columns.contains(column) {
            throw ModelError(.missingColumn, "\(path) has no column \"\(column)\" (columns: \(columns.sorted().joined(separator: ", ")))")
        }
        let examples = records.compactMap { record -> LabeledText? in
            guard let text = record[textColumn], let label = record[labelColumn] else { return nil }
            let trimmedLabel = label.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, !trimmedLabel.isEmpty else { return nil }
            return LabeledText(text: text, label: trimmedLabel)
        }
        guard !examples.isEmpty else { throw ModelError(.emptyData, "\(path) has no rows with both \"\(textColumn)\" and \"\(labelColumn)\"") }
        return examples
    }
}

/// RFC 4180 CSV: comma-separated, double-quoted fields with "" escapes and embedded newlines.
enum CSVReader {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var inQuotes = false, fieldStarted = false
        let bytes = Array(text.utf8)
        var i = 0
        func endField() { row.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); fieldStarted = false }
        func endRow() { endField(); if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }; row = [] }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // byte-order mark
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 34 {
                    if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 1 } else { inQuotes = false }
                } else { field.append(b) }
            } else if b == 34 && !fieldStarted && field.isEmpty {
                inQuotes = true; fieldStarted = true
            } else if b == 44 {
                endField()
            } else if b == 10 || b == 13 {
                endRow()
                if b == 13 && i + 1 < bytes.count && bytes[i + 1] == 10 { i += 1 }
            } else {
                field.append(b); fieldStarted = true
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty || fieldStarted { endRow() }
        return rows
    }

    static func records(_ text: String, path: String) throws -> [[String: String]] {
        let all = rows(text)
        guard let header = all.first else { throw ModelError(.emptyData, "\(path) is empty (expected a CSV header row)") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        return all.dropFirst().map { row in
            var record: [String: String] = [:]
            for (name, value) in zip(names, row) { record[name] = value }
            return record
        }
    }
}

/// JSON Lines of flat objects; string values are kept, numbers and booleans become strings,
/// nested values are skipped.
enum JSONLReader {
    static func records(_ text: String, path: String) throws -> [[String: String]] {
        var records: [[String: String]] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let data = trimmed.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { throw ModelError(.malformedData, "\(path) line \(number + 1) is not a JSON object") }
            var record: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let string as String: record[key] = string
                case let number as NSNumber: record[key] = number.stringValue
                case let nested as [String: Any] where key == "attributes":
                    // A row's own cohort attributes, kept as `attributes.NAME` columns.
                    for (name, inner) in nested {
                        if let string = inner as? String { record["attributes.\(name)"] = string }
                        else if let number = inner as? NSNumber { record["attributes.\(name)"] = number.stringValue }
                    }
                default: continue
                }
            }
            records.append(record)
        }
        return records
    }
}
