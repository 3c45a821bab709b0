-- What the mGramSeva app (and ws-services / property-services before us) sends and reads back
-- as it was sent (issue 12): the owner's and the connection holder's `isPrimaryOwner` (a
-- boolean, or nothing), and the connection's `paymentType` (the app sends "arrears" or
-- "advance" and shows the matching amount fields when the household is edited).
ALTER TABLE property ADD COLUMN owner_is_primary boolean;
ALTER TABLE water_connection ADD COLUMN holder_is_primary boolean;
ALTER TABLE water_connection ADD COLUMN payment_type text CHECK (length(payment_type) <= 64);
