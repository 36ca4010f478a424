"""Dated facts from the source documents, checked against the built-in dataset.

Control is read the way `python -m layers state --date D` reads it: `Timeline(dataset).state_on(D)`.
Each row names the change a source dates and checks the day before and the day it takes effect;
the comment says which document states it (our words, not theirs).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from layers.data.catalog import load_dataset
from layers.data.dates import parse_date
from layers.engine.timeline import Timeline


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def timeline(ds):
    return Timeline(ds)


CONTROL = [
    # Pailin. UPI (22 Sep 1989): the government defends a town it has held; doc 000: KR takeover from 17 Sep.
    ("pailin", "1989-09-16", "government", None),
    ("pailin", "1989-09-17", "government", "contested"),
    # doc 000: the Khmer Rouge claimed victory over Pailin on 24 October 1989 (Universalis: 23rd, a dispute).
    ("pailin", "1989-10-23", "government", "contested"),
    ("pailin", "1989-10-24", "khmer_rouge", None),
    # doc 000: offensive launched 17 March 1994, the town taken after two days of fighting.
    ("pailin", "1994-03-18", "khmer_rouge", None),
    ("pailin", "1994-03-19", "government", None),
    # doc 000 / PPP 22 Apr 1994: the Khmer Rouge took the town back on 19 April 1994.
    ("pailin", "1994-04-18", "government", None),
    ("pailin", "1994-04-19", "khmer_rouge", None),
    # Strangio: Hun Sen announced Ieng Sary's defection (Pailin's division 415) on 9 August 1996.
    ("pailin", "1996-08-08", "khmer_rouge", None),
    ("pailin", "1996-08-09", "dnum", None),
    # Phnom Malai: doc 000 names it a KR headquarters from Pailin's fall until August 1996 (division 450 defects).
    ("phnom_malai", "1989-10-24", "khmer_rouge", None),
    ("phnom_malai", "1996-08-08", "khmer_rouge", None),
    ("phnom_malai", "1996-08-09", "dnum", None),
    # Anlong Veng. PPP 11 Feb 1994: the government says it took the town on 5 February 1994.
    ("anlong_veng", "1994-02-04", "khmer_rouge", None),
    ("anlong_veng", "1994-02-05", "government", None),
    # doc 000: the troops withdrew on 24 February 1994.
    ("anlong_veng", "1994-02-23", "government", None),
    ("anlong_veng", "1994-02-24", "khmer_rouge", None),
    # PPP (Mar 1995) reports a government claim of 23 Feb 1995, denied: a claim, not a change of hands.
    ("anlong_veng", "1995-02-23", "khmer_rouge", None),
    # BBC 29 Mar 1998: troops and defectors took the village on Saturday 28 March; still fought over.
    ("anlong_veng", "1998-03-27", "khmer_rouge", None),
    ("anlong_veng", "1998-03-28", "government", "contested"),
    # Indian Express 5 Apr 1998: on 4 April the Khmer Rouge claimed to have regained the area.
    ("anlong_veng", "1998-04-04", "government", "contested"),
    # FEER 30 Apr 1998: the Khmer Rouge had lost Anlong Veng.
    ("anlong_veng", "1998-04-30", "government", None),
    # Treng. PPP 6 May 1994: the launching pad of the March offensive; KR-held on 30 April 1994, not before Pailin fell.
    ("treng", "1994-04-19", "government", None),
    ("treng", "1994-04-20", "government", None),
    ("treng", "1994-04-30", "khmer_rouge", None),
    # PPP May 1994: the front at Bong Ampil, east of Treng, on 8 May 1994.
    ("treng", "1994-05-08", "khmer_rouge", None),
    # PPP Jan 1995: when the raids on Ratanak Mondul began (16 Dec 1994) the district town was government-held.
    ("treng", "1994-12-16", "government", None),
    # PPP May 1995: overrun in late April 1995, retaken on 11 May.
    ("treng", "1995-04-30", "khmer_rouge", None),
    ("treng", "1995-05-10", "khmer_rouge", None),
    ("treng", "1995-05-11", "government", None),
    # Samlot: no source dates a change in August 1996 before the defection of the 9th (zone-derived KR).
    ("samlout", "1996-08-01", "khmer_rouge", None),
    ("samlout", "1996-08-08", "khmer_rouge", None),
    # PPP 8 May 1998: the Samlot ex-Khmer Rouge turned on the government in mid-August 1997.
    ("samlout", "1997-08-10", "dnum", None),
    ("samlout", "1997-08-20", "samlot_rebels", None),
    # doc 000: the 1994 advance stopped about ten kilometres before Battambang.
    ("battambang", "1994-04-30", "government", None),
    # doc 000: the temple fell to the Khmer Rouge on 7 July 1993; BBC: the garrison defected on 29 March 1998.
    ("preah_vihear_temple", "1993-07-06", "government", None),
    ("preah_vihear_temple", "1993-07-07", "khmer_rouge", None),
    ("preah_vihear_temple", "1998-03-28", "khmer_rouge", None),
    ("preah_vihear_temple", "1998-03-29", "government", None),
    # AP 20 Aug 1993 / doc 000: the Phnom Chhat base taken on 20 August 1993.
    ("phnom_chhat", "1993-08-19", "khmer_rouge", None),
    ("phnom_chhat", "1993-08-20", "government", None),
    # PPP Aug 1997: royalist forces hold O'Smach after the July fighting.
    ("ou_smach", "1997-08-08", "ncr", None),
]


@pytest.mark.parametrize("place, day, controller, certainty", CONTROL)
def test_control_on_the_days_the_sources_date(timeline, place, day, controller, certainty):
    status = timeline.state_on(date.fromisoformat(day)).place(place)
    assert status.controller == controller
    if certainty is not None:
        assert status.certainty == certainty


EVENTS = [
    # (event, date, part, label): the date in the precision the source gives.
    ("ev_1989_10_pailin_falls", "1989-10-24", None, "24 October 1989"),      # doc 000
    ("ev_1991_10_paris", "1991-10", None, "October 1991"),                   # PPP 18 Dec 1992: no day
    ("ev_1993_07_pv_temple", "1993-07-07", None, "7 July 1993"),            # doc 000
    ("ev_1993_08_20_phum_chat", "1993-08-20", None, "20 August 1993"),      # AP 20 Aug 1993
    ("ev_1993_11_15_untac_out", "1993-11-15", None, "15 November 1993"),    # doc 000
    ("ev_1994_02_02_av_assault", "1994-02-02", None, "2 February 1994"),    # doc 000
    ("ev_1994_03_17_pailin_offensive", "1994-03-17", None, "17 March 1994"),  # doc 000
    ("ev_1994_04_19_pailin_retaken", "1994-04-19", None, "19 April 1994"),  # doc 000
    ("ev_1994_04_kr_advance", "1994-04", "late", "late April 1994"),        # brief: late April, no day
    ("ev_1994_05_27_pyongyang", "1994-05-27/1994-05-28", None, "27–28 May 1994"),  # PPP 3 Jun, LA Times 29 May 1994
    ("ev_1995_02_23_av_claim", "1995-02-23", None, "23 February 1995"),    # PPP Mar 1995: a claim
    ("ev_1995_04_treng_overrun", "1995-04", "late", "late April 1995"),     # PPP May 1995
    ("ev_1996_dry_offensive", "1996-01/1996-04", None, "January 1996 – April 1996"),  # PPP 1996: four months
    ("ev_1996_08_08_death_sentence", "1996-08-08", None, "8 August 1996"),  # AP obituary 2013
    ("ev_1996_08_09_defection", "1996-08-09", None, "9 August 1996"),      # Strangio
    ("ev_1997_08_samlot", "1997-08", "mid", "mid-August 1997"),             # PPP 8 May 1998
    ("ev_1998_04_15_pol_pot_dies", "1998-04-15", None, "15 April 1998"),   # FEER 30 Apr 1998
]


@pytest.mark.parametrize("event, text, part, label", EVENTS)
def test_event_dates_keep_their_precision(ds, event, text, part, label):
    row = ds.events.loc[event]
    assert row["date"] == text
    assert (row.get("date_part") if isinstance(row.get("date_part"), str) else None) == part
    assert parse_date(row["date"], part).label() == label


def test_pailin_flips_on_the_date_its_dispute_chooses(ds, timeline):
    # The map's date and the recorded disagreement must be the same story: 24 Oct chosen, 23 Oct disputed.
    pailin = ds.places.loc["pailin"]
    dispute = next(d for d in pailin["disputes"] if d["field"] == "control[2].start")
    chosen = pailin["control"][2]["start"]
    assert chosen == dispute["claims"][0]["value"] == "1989-10-24"
    assert "1989-10-23" in {c["value"] for c in dispute["claims"][1:]}
    event = ds.events.loc["ev_1989_10_pailin_falls"]
    assert event["date"] == chosen
    assert {c["value"] for c in event["disputes"][0]["claims"]} == {"1989-10-24", "1989-10-23"}


def test_pailin_1979_1989_disagreement_is_recorded(ds):
    claims = next(d for d in ds.places.loc["pailin"]["disputes"] if d["field"] == "control[0].controller")["claims"]
    assert {tuple(c["sources"]) for c in claims} == {("upi_1989_09_22",), ("doc_about_pailin",)}


def test_the_route10_wedge_never_passes_a_government_treng(ds, timeline):
    wedge = ds.zones.loc["kr_west_1994_04_wedge"]
    for t in range(int(wedge["start_day"]), int(wedge["end_day"])):
        assert timeline.state_on(date.fromordinal(t)).place("treng").controller == "khmer_rouge"
    assert date.fromordinal(int(wedge["start_day"])) > date(1994, 4, 19)


def _facts(ds):
    """(where, EDTF text, part, cited source ids) for every dated fact."""
    for eid, r in ds.events.iterrows():
        yield eid, r["date"], r.get("date_part"), r["sources"]
    for layer in ("zones", "frontlines"):
        for fid, r in getattr(ds, layer).iterrows():
            yield fid, r["start"], r.get("start_part"), r["sources"]
    for pid, r in ds.places.iterrows():
        for i, period in enumerate(r["control"] or []):
            yield f"{pid}.control[{i}]", period["start"], period.get("start_part"), period["sources"]


def test_every_cited_source_is_published_on_or_after_its_fact(ds):
    late = []
    for where, text, part, sources in _facts(ds):
        first = parse_date(text, part if isinstance(part, str) else None).first_day
        for sid in sources:
            published = ds.sources[sid].date
            if published and parse_date(published).last_day < first:
                late.append((where, sid, published, text))
    assert late == []


def test_sources_are_single_documents_with_honest_titles(ds):
    raw = {s["id"]: s for s in __import__("json").loads((ds.root / "sources.json").read_text())["sources"]}
    for sid, s in raw.items():
        if s["title"] is None:
            assert s.get("describe"), sid
        else:
            assert s.get("title_from") in {"document", "brief", "checked"}, sid
        if s["date"] is None:
            assert s["kind"] in {"document", "reference", "gazetteer", "dataset", "method"} or \
                "not recorded" in (s.get("note") or ""), sid
    assert "cambodia_daily" not in raw


def test_places_agree_with_the_zones_that_contain_them(ds):
    # Outside contested periods and marked enclaves, a place's own controller is its zone's controller.
    control, zones = ds.control, ds.zones
    edges = np.concatenate([control["start_day"], control["end_day"], zones["start_day"], zones["end_day"]])
    days = sorted({int(d) + k for d in edges if d < date.max.toordinal() for k in (-1, 0)})
    disagreements = set()
    for pid, rows in control.groupby("place_id"):
        containing = zones[zones.geometry.contains(ds.places.geometry[pid]) & (zones["certainty"] != "contested")]
        for t in days:
            active = rows[(rows["start_day"] <= t) & (rows["end_day"] > t)]
            if not len(active) or (active["certainty"] == "contested").any() or active["enclave"].any():
                continue
            here = containing[(containing["start_day"] <= t) & (containing["end_day"] > t)]
            for zid, controller in here["controller"].items():
                if controller != active["controller"].iloc[0]:
                    disagreements.add((pid, zid))
    assert disagreements == set()


def test_assessed_needs_a_source_that_dates_it(ds):
    # "assessed" periods start on a day or a part the sources give, never on a bare guessed year.
    for pid, r in ds.places.iterrows():
        for period in r["control"] or []:
            if period["certainty"] == "assessed":
                assert not period["start"].endswith(("~", "?")), (pid, period["start"])
