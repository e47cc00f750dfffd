"""Published bundles: reader, verifier, writer and apply. No Qt here."""
