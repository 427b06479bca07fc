extension EscapeHatchLexicon {
    /// French (accents folded, elisions split: "l'agent" is "l agent", "quelqu'un" is
    /// "quelquun"). Covers "je veux parler à un conseiller", "passez-moi un humain",
    /// "être mis en relation avec une vraie personne".
    public static let french = EscapeHatchLexicon(
        persons: [
            "conseiller", "conseillere", "conseillers", "conseilleres", "agent", "agents", "humain",
            "humains", "representant", "representante", "representants", "interlocuteur",
            "interlocutrice", "superviseur", "superviseuse", "teleconseiller", "teleconseillere",
        ],
        someones: [
            "quelquun", "personne", "personnes", "responsable", "employe",
            "employee", "assistant", "assistante", "gens",
        ],
        contactWords: [
            "parler", "parle", "discuter", "contacter", "joindre", "echanger", "chatter", "appeler",
            "appelez", "rappeler", "rappelez", "transferer", "transferez", "passer", "passez", "mettre",
            "mettez", "relation", "contact", "communiquer", "ecrire", "rediriger", "redirigez",
        ],
        desireWords: [
            "veux", "voudrais", "voulons", "souhaite", "souhaiterais", "aimerais", "besoin", "exige",
            "demande", "donnez", "veuillez", "prefere", "prefererais",
        ],
        fillers: [
            "a", "au", "aux", "avec", "un", "une", "le", "la", "les", "l", "des", "de", "d", "du", "moi",
            "me", "m", "vous", "svp", "stp", "s", "il", "plait", "te", "toi", "tout", "suite",
            "directement", "rapidement", "maintenant", "enfin", "en", "vos", "votre", "je", "j",
            "peux", "puis", "pouvez", "pourriez", "pourrais", "bonjour", "vrai", "vraie", "veritable",
            "service", "client", "clientele", "support", "technique", "putain", "bordel", "autre",
            "etre", "mis", "mise", "physique", "nouveau", "ce", "que",
        ],
        realnessBefore: ["vrai", "vraie", "veritable"],
        realnessAfter: ["reel", "reelle", "physique", "vivant", "vivante", "humain", "humaine"],
        negations: ["ne", "n", "pas", "jamais", "aucun", "aucune", "non"],
        withouts: ["sans", "lieu", "eviter", "plutot"],
        pastAuxiliaries: ["ai", "as", "avons", "avez", "ont", "avais", "avait", "suis"],
        guards: [
            "voyage", "voyages", "immobilier", "immobiliere", "assurance", "assurances", "douane",
            "change", "police", "securite", "erreur", "ressources", "droits", "secret", "virtuel",
            "mobile", "telephonique", "ia",
        ],
        guardLinkers: ["de", "d", "du"],
        compoundGuards: [],
        compoundHeads: [],
        bots: ["bot", "robot", "robots", "machine", "machines", "automate", "ia"],
        selfCopulas: ["suis"],
        gluePrefixes: ["a", "au", "un", "une"],
        knownWords: [
            "argent", "humaine", "humaines", "humanite", "personnel", "personnelle", "personnellement",
            "parle", "parler", "parole", "paroles", "conseil", "conseils", "agence", "agenda", "urgent",
            "relations", "contrat", "contrats", "joint", "rappel", "appel", "appels", "passe", "passes",
            "demander", "besoins", "veut", "gent", "gentil", "operateur", "operateurs", "operatrice",
        ]
    )
}
