-- Who paid (`paidBy`): the mGramSeva app sends the payer's name there, and a payment without one
-- takes its bill's payer, so it is personal data, sealed like the payer's name and mobile number
-- (`platform::encryption`). Payments taken before keep their plain `paid_by`.
ALTER TABLE collection_payment ADD COLUMN paid_by_enc text;
