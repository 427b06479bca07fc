/// Languages the demo tickets are written in.
enum SampleLanguage: String, Sendable, CaseIterable {
    case en, es, de, fr
}

/// Templates for one language. Slots in braces (`{amount}`, `{merchant}`, `{card}`, `{date}`,
/// `{days}`, `{field}`, `{device}`, `{city}`, `{name}`) are filled by ``SampleSlots``.
struct SamplePhrasebook: Sendable {
    var greetings: [String]
    var closings: [String]
    /// Body templates per label, in ``DemoDomain/labels`` order.
    var bodies: [[String]]
    /// Subject lines per label, in ``DemoDomain/labels`` order.
    var subjects: [[String]]
    var humanRequests: [String]
    var followUps: [String]
    /// Long filler for the too-large malformed class (a pasted log, an email chain).
    var filler: String

    static func forLanguage(_ language: SampleLanguage) -> SamplePhrasebook {
        switch language {
        case .en: return english
        case .es: return spanish
        case .de: return german
        case .fr: return french
        }
    }
}
