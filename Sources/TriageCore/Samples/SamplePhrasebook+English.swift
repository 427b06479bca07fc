extension SamplePhrasebook {
    static let english = SamplePhrasebook(
        greetings: ["Hi,", "Hello,", "Hi there,", "Good morning,", "Hello team,", "Dear support,", "Hey,", ""],
        closings: ["Thanks.", "Thank you!", "Regards, {name}", "Thanks in advance, {name}", "Cheers", "Please help.", ""],
        bodies: [
            // card_lost
            [
                "I lost my card ending {card} somewhere in {city} {date}. Please block it before someone uses it.",
                "My wallet was stolen {date} with my debit card inside ({card}). How do I freeze the card?",
                "I can't find my credit card anywhere, last used it at {merchant}. Can you cancel it and send a new one?",
                "Left my card in a taxi {date}, it's the one ending in {card}. I need it blocked asap.",
                "My bag got stolen on the train and my card was in it. Please stop the card ending {card}.",
                "I think I dropped my card at {merchant}. I'd like to block it and order a replacement.",
            ],
            // card_not_arrived
            [
                "I ordered a new card {days} days ago and it still hasn't arrived. Where is it?",
                "My replacement card never showed up. It was supposed to arrive last week, it's been {days} days.",
                "Still waiting for my new debit card, the app says it was dispatched {date} but nothing in the post.",
                "The renewal card for the one ending {card} has not been delivered. My old one expires soon.",
                "You told me my card would come within 5 working days. It has been {days} days and no card.",
                "Has my new card been sent? I moved to {city} recently, maybe it went to the old address.",
            ],
            // payment_failed
            [
                "My payment of {amount} to {merchant} was declined even though I have enough money in my account.",
                "I tried to pay {amount} at {merchant} {date} and the transaction failed three times.",
                "Transfer of {amount} to my landlord didn't go through, the app just shows an error.",
                "Card keeps getting rejected online at {merchant}. The card ending {card} is active, what's wrong?",
                "My direct debit for {amount} bounced {date}. Why did the payment fail?",
                "I can't pay with my phone anymore, {device} says payment not completed at {merchant}.",
            ],
            // refund_request
            [
                "I returned an order to {merchant} and I'm still waiting for the refund of {amount}.",
                "I was charged twice for the same purchase at {merchant} ({amount}). Please refund one of them.",
                "Cancelled my subscription with {merchant} but was charged {amount} {date}. I want my money back.",
                "I'd like a refund of the {amount} fee you charged me, I was told it would be waived.",
                "The ATM didn't give me the cash but took {amount} from my account. Please return it.",
                "My booking with {merchant} was cancelled, they say they refunded {amount} but I don't see it.",
            ],
            // login_problem
            [
                "I can't log in to the app. It says my password is wrong but I just reset it.",
                "I'm locked out of online banking after too many attempts. How do I unlock my account?",
                "The verification code by SMS never arrives so I can't sign in on my {device}.",
                "Got a new {device} and now the app won't let me log in, it keeps asking for a code.",
                "The password reset link you sent has expired and the new one doesn't work either.",
                "Face ID stopped working in the app and the login screen just spins forever.",
            ],
            // update_details
            [
                "I moved to {city} and need to update my address on the account.",
                "Please change the phone number on my account, I have a new one.",
                "How do I change my {field}? The app won't let me edit it.",
                "I got married and want to update my surname on my account and card.",
                "My email address has changed, please update it so I keep receiving statements.",
                "I need to correct my date of birth, it's wrong in your records.",
            ],
            // suspicious_transaction
            [
                "There's a payment of {amount} to {merchant} {date} that I did not make.",
                "I don't recognise a transaction on my card ending {card} for {amount}. Is this fraud?",
                "Someone used my card in {city} but I've been home all week. Charges of {amount}!",
                "I got a text asking me to confirm a payment of {amount} that I never made. What is going on?",
                "Several small charges from {merchant} I never authorised appeared {date}.",
                "My account shows a transfer of {amount} to someone I don't know. Please investigate.",
            ],
            // general_question
            [
                "What are the fees for using my card abroad?",
                "Can you tell me your opening hours for the branch in {city}?",
                "How do I download a statement for last year for my tax return?",
                "What's the interest rate on the savings account at the moment?",
                "Is there a limit on how much I can withdraw from an ATM per day?",
                "Do you offer joint accounts, and how do I open one?",
            ],
        ],
        subjects: [
            ["Lost card", "Card stolen", "Please block my card", "URGENT lost card"],
            ["Card not arrived", "Has my new card been posted yet?", "Replacement card"],
            ["Payment declined", "Failed payment", "Transfer problem"],
            ["Refund", "Double charge", "Money back please"],
            ["Can't log in", "Locked out", "Login issue"],
            ["Change of address", "Update my details", "New phone number"],
            ["Unknown transaction", "Possible fraud", "Charge I didn't make"],
            ["Question", "Quick question", "Information request"],
        ],
        humanRequests: [
            "I want to talk to a real person.",
            "Can I please speak to a human? Not a bot.",
            "Please get a real person to call me back.",
            "I'd like to speak with an actual agent, not an automated reply.",
        ],
        followUps: [
            "Following up on my previous message, nobody has replied.",
            "This is my second message about this.",
            "Any update on this?",
        ],
        filler: "Pasting the full error log from the app below in case it helps. "
    )
}
