"""The regional bundle of the negotiation tests: four regions propose on WTDC/37 (disagreeing) and
on WTDC/19 (all NOC), with contacts and priorities; used by the store's and the views' tests."""

from __future__ import annotations

from helpers import write_records

RES37_TEXT = ("The World Telecommunication Development Conference resolves to bridge the digital divide "
              "by supporting national broadband plans in developing countries.")


def regional_bundle(tmp_path):
    """A bundle where four regions propose on WTDC/37 (disagreeing) and on WTDC/19 (all NOC)."""
    from wtdc_desktop.bundles.writer import Header, build_bundle

    src = tmp_path / "src"
    (src / "records").mkdir(parents=True)
    write_records(src, "region", [{"id": r, "name": r} for r in ("AFR", "AMS", "ARB", "ASP", "CIS", "EUR")])
    write_records(src, "organization", [
        {"id": "ATU", "name": "African Telecommunications Union", "kind": "rto", "region": "AFR"},
        {"id": "CITEL", "name": "CITEL", "kind": "rto", "region": "AMS"},
        {"id": "APT", "name": "Asia-Pacific Telecommunity", "kind": "rto", "region": "ASP"},
        {"id": "CEPT", "name": "CEPT", "kind": "rto", "region": "EUR"},
    ])
    write_records(src, "meeting", [{"id": "WTDC-25", "kind": "conference", "title": "WTDC-25",
                                    "timezone": "Asia/Baku"}])
    write_records(src, "committee", [{"id": "WTDC-25/COM4", "meeting": "WTDC-25", "name": "Committee 4"}])
    write_records(src, "document", [
        {"id": f"WTDC-25/{n}", "meeting": "WTDC-25", "title": f"Common proposals {org}", "source": org}
        for n, org in ((10, "ATU"), (11, "CITEL"), (12, "APT"), (13, "CEPT"))])
    write_records(src, "resolution", [
        {"id": "WTDC/37", "body": "WTDC", "number": 37, "title": "Bridging the digital divide", "text": RES37_TEXT},
        {"id": "WTDC/19", "body": "WTDC", "number": 19, "title": "Special measures for least developed countries"},
        {"id": "WTDC/50", "body": "WTDC", "number": 50, "title": "Optimal integration of telecommunications and ICTs"},
        {"id": "PP/139", "body": "PP", "number": 139, "title": "Bridging the digital divides"},
    ])

    def prop(pid, doc, org, action, target, text=None, status="submitted", cost=None):
        r = {"id": pid, "document": doc, "sources": [org], "action": action,
             "target": {"type": "resolution", "id": target}, "status": status, "committee": "WTDC-25/COM4",
             "title": f"{action} Resolution {target}"}
        if text:
            r["text"] = text
        if cost:
            r["cost"] = cost
        return r

    write_records(src, "proposal", [
        prop("AFCP/10/1", "WTDC-25/10", "ATU", "MOD", "WTDC/37",
             RES37_TEXT.replace("national broadband plans", "affordable national broadband plans and digital skills"),
             cost={"amount": 150000, "currency": "CHF"}),
        prop("IAP/11/1", "WTDC-25/11", "CITEL", "MOD", "WTDC/37", RES37_TEXT.replace("developing", "all")),
        prop("ACP/12/1", "WTDC-25/12", "APT", "NOC", "WTDC/37"),
        prop("ECP/13/1", "WTDC-25/13", "CEPT", "SUP", "WTDC/37"),
        prop("AFCP/10/2", "WTDC-25/10", "ATU", "NOC", "WTDC/19"),
        prop("IAP/11/2", "WTDC-25/11", "CITEL", "NOC", "WTDC/19"),
        prop("ECP/13/2", "WTDC-25/13", "CEPT", "NOC", "WTDC/19"),
    ])
    write_records(src, "contact", [
        {"id": "c-afr", "name": "Aïcha Ndiaye", "organization": "ATU", "region": "AFR", "email": "aicha@example.org",
         "phone": "+221 33 000 00 00", "languages": ["fr", "en"],
         "coordinates": [{"type": "resolution", "id": "WTDC/37"}]},
        {"id": "c-eur", "name": "Jan Novák", "organization": "CEPT", "region": "EUR", "email": "jan@example.org",
         "languages": ["en"], "coordinates": [{"type": "resolution", "id": "WTDC/37"},
                                              {"type": "resolution", "id": "WTDC/19"}]},
    ])
    write_records(src, "priority", [
        {"id": "P-AFR", "region": "AFR", "title": "Connectivity", "estimated_cost": {"amount": 1000, "currency": "CHF"},
         "pledges": [{"from": "ATU", "amount": 300, "currency": "CHF", "status": "confirmed"},
                     {"from": "CEPT", "amount": 200, "currency": "CHF", "status": "announced"}]},
        {"id": "P-AFR-2", "region": "AFR", "title": "Skills", "estimated_cost": {"amount": 500, "currency": "CHF"},
         "pledges": [{"from": "APT", "amount": 100, "currency": "CHF", "status": "announced"}]},
        {"id": "P-ASP", "region": "ASP", "title": "Cybersecurity", "estimated_cost": {"amount": 400, "currency": "CHF"},
         "pledges": [{"from": "APT", "amount": 400, "currency": "CHF", "status": "confirmed"}]},
    ])
    out = tmp_path / "regional.wtdc.zip"
    build_bundle(src, out, Header(publisher_id="itu-bdt", channel="WTDC-25", sequence=1,
                                  created_at="2025-01-01T00:00:00Z"))
    return out
