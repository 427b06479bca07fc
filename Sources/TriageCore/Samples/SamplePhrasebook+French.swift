extension SamplePhrasebook {
    static let french = SamplePhrasebook(
        greetings: ["Bonjour,", "Bonsoir,", "Madame, Monsieur,", "Salut,", ""],
        closings: ["Merci.", "Cordialement, {name}", "Merci d'avance", "Bien à vous", ""],
        bodies: [
            [
                "J'ai perdu ma carte qui se termine par {card} {date}. Merci de la bloquer.",
                "On m'a volé mon portefeuille à {city} avec ma carte. Comment faire opposition ?",
                "Je ne retrouve plus ma carte depuis mon passage chez {merchant}. Je veux la bloquer.",
            ],
            [
                "J'ai commandé une nouvelle carte il y a {days} jours et je ne l'ai toujours pas reçue.",
                "La carte de remplacement n'est pas arrivée, l'appli dit qu'elle a été envoyée {date}.",
                "Toujours pas de nouvelle carte. A-t-elle été envoyée à mon ancienne adresse à {city} ?",
            ],
            [
                "Mon paiement de {amount} chez {merchant} a été refusé alors que j'ai assez d'argent.",
                "Le virement de {amount} n'est pas passé, l'application affiche une erreur.",
                "Ma carte {card} est refusée chez {merchant} depuis {date}.",
            ],
            [
                "J'ai renvoyé une commande à {merchant} et j'attends toujours le remboursement de {amount}.",
                "J'ai été débité deux fois de {amount} chez {merchant}. Merci de me rembourser.",
                "J'ai résilié mon abonnement mais on m'a prélevé {amount} {date}. Je demande un remboursement.",
            ],
            [
                "Je n'arrive pas à me connecter à l'application, le mot de passe est refusé.",
                "Mon compte est bloqué après plusieurs tentatives. Comment le débloquer ?",
                "Je ne reçois pas le code SMS pour me connecter sur mon {device}.",
            ],
            [
                "J'ai déménagé à {city} et je dois changer mon adresse.",
                "Je voudrais mettre à jour mon numéro de téléphone.",
                "Comment modifier mon {field} ? L'appli ne me laisse pas faire.",
            ],
            [
                "Il y a un paiement de {amount} chez {merchant} {date} que je n'ai pas fait.",
                "Je ne reconnais pas une opération de {amount} avec ma carte {card}. C'est une fraude ?",
                "Quelqu'un a utilisé ma carte à {city} alors que j'étais chez moi.",
            ],
            [
                "Quels sont les frais pour utiliser ma carte à l'étranger ?",
                "Quels sont les horaires de l'agence de {city} ?",
                "Comment télécharger mon relevé de l'année dernière ?",
            ],
        ],
        subjects: [
            ["Carte perdue"], ["Carte non reçue"], ["Paiement refusé"], ["Remboursement"],
            ["Connexion impossible"], ["Changement de coordonnées"], ["Opération inconnue"], ["Question"],
        ],
        humanRequests: [
            "Je veux parler à un conseiller.",
            "Je souhaite parler à une vraie personne, pas à un robot.",
        ],
        followUps: ["Je vous relance car je n'ai pas eu de réponse.", "Du nouveau ?"],
        filler: "Je colle ci-dessous le journal d'erreurs complet de l'application. "
    )
}
