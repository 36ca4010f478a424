"""Issue 9's rules across features: sources published after the facts they support, places that
agree with the zones around them, texts that do not state a day their date does not have."""

import pytest

from layers.data.catalog import validate_path
from layers.data.checks import stated_days


def _errors(path):
    return validate_path(path).errors


def _with_source(source_id, date, **extra):
    def edit(layers):
        layers["sources.json"]["sources"].append({"id": source_id, "title": None, "describe": "A wire report",
                                                  "kind": "news", "date": date})
        extra_edit = extra.get("then")
        if extra_edit:
            extra_edit(layers)
    return edit


def _cite(layer, index, *sids, background=(), period=None):
    def edit(layers):
        props = layers[layer][index]["properties"]
        target = props["control"][period] if period is not None else props
        target["sources"] = [*target["sources"], *sids]
        if background:
            target["background_sources"] = list(background)
    return edit


def _both(*edits):
    def edit(layers):
        for e in edits:
            e(layers)
    return edit


# --- (a) a source published before the fact it supports --------------------------------------------

EARLY_CITES = [
    (_cite("events.geojson", 0, "early"), "events.geojson", "ev_fall", "sources"),
    (_cite("zones.geojson", 0, "early"), "zones.geojson", "kr_west", "sources"),
    (_cite("frontlines.geojson", 0, "early"), "frontlines.geojson", "front_1994", "sources"),
    (_cite("places.geojson", 0, "early", period=1), "places.geojson", "town", "control[1].sources"),
]


@pytest.mark.parametrize("cite, file, feature, field", EARLY_CITES)
def test_a_source_published_before_the_fact_is_an_error(make_dataset, cite, file, feature, field):
    errors = _errors(make_dataset(_both(_with_source("early", "1989-01-15"), cite)))
    assert [(e.file, e.feature, e.field) for e in errors] == [(file, feature, field)], [str(e) for e in errors]
    assert "'early', published 15 January 1989, before" in errors[0].message
    assert "background_sources" in errors[0].fix


@pytest.mark.parametrize("cite", [
    _cite("events.geojson", 0, "early", background=["early"]),
    _cite("places.geojson", 0, "early", period=1, background=["early"]),
])
def test_background_sources_may_predate_the_fact(make_dataset, cite):
    assert not _errors(make_dataset(_both(_with_source("early", "1989-01-15"), cite)))


def test_a_source_whose_month_includes_the_day_is_not_early(make_dataset):
    # Published "October 1989": possibly on or after 23 October, so it may report the fall.
    assert not _errors(make_dataset(_both(_with_source("oct", "1989-10"), _cite("events.geojson", 0, "oct"))))


def test_the_fact_counts_from_its_narrowed_earliest_day(make_dataset):
    def late_may(layers):
        layers["events.geojson"][1]["properties"].update(date="1993-05", date_part="late")
    errors = _errors(make_dataset(_both(_with_source("mid", "1993-05-15"), _cite("events.geojson", 1, "mid"),
                                        late_may)))
    assert [(e.feature, e.field) for e in errors] == [("ev_may93", "sources")]
    assert "late May 1993" in errors[0].message


# --- (b) a place's own controller against the zones that contain it ---------------------------------

def _period(index, **changes):
    def edit(layers):
        period = layers["places.geojson"][0]["properties"]["control"][index]
        for key, value in changes.items():
            if value is None:
                period.pop(key, None)
            else:
                period[key] = value
    return edit


def test_place_held_against_its_zone_is_reported_as_date_ranges(make_dataset):
    errors = _errors(make_dataset(_period(1, enclave=None)))
    assert [(e.file, e.feature, e.field) for e in errors] == [("places.geojson", "town", "control[1]")]
    assert "zone 'kr_west' (khmer_rouge) on 19 March 1994 to 18 April 1994 (31 days)" in errors[0].message
    assert "enclave" in errors[0].fix


@pytest.mark.parametrize("edit", [
    _period(1, enclave=True),
    _period(1, enclave=None, certainty="contested"),
])
def test_enclaves_and_contested_periods_are_excepted(make_dataset, edit):
    assert not _errors(make_dataset(edit))


def test_contested_zone_is_excepted(make_dataset):
    def edit(layers):
        layers["zones.geojson"][0]["properties"]["certainty"] = "contested"
    assert not _errors(make_dataset(_both(_period(1, enclave=None), edit)))


def test_the_days_a_transition_leaves_open_are_not_a_disagreement(make_dataset):
    # Taken "in March 1994": the place is changing hands during March; from 1 April it disagrees.
    edit = _both(_period(0, end="1994-03"), _period(1, enclave=None, start="1994-03"))
    errors = _errors(make_dataset(edit))
    assert [(e.feature, e.field) for e in errors] == [("town", "control[1]")], [str(e) for e in errors]
    assert "on 1 April 1994 to 18 April 1994 (18 days)" in errors[0].message


def test_place_outside_every_zone_is_not_checked(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["geometry"]["coordinates"] = [103.95, 13.95]
    assert not _errors(make_dataset(_both(_period(1, enclave=None), edit)))


# --- (c) a text that states a day its date does not have --------------------------------------------

def _event(index, **props):
    def edit(layers):
        layers["events.geojson"][index]["properties"].update(props)
    return edit


STATED_DAYS = [
    (_event(1, title="Election results on 23 May"), "title", "'23 May'"),
    (_event(1, description="The count ended May 28, 1993."), "description", "'May 28, 1993'"),
    (_event(1, date="1993", description="Voting began on 23rd May."), "description", "'23rd May'"),
    (_event(1, date="1993-05", date_part="late", title="On 25 May"), "title", "'25 May'"),
]


@pytest.mark.parametrize("edit, field, phrase", STATED_DAYS)
def test_a_day_stated_in_the_text_of_a_coarser_date_is_an_error(make_dataset, edit, field, phrase):
    errors = _errors(make_dataset(edit))
    assert [(e.file, e.feature, e.field) for e in errors] == [("events.geojson", "ev_may93", field)], \
        [str(e) for e in errors]
    assert phrase in errors[0].message and "only" in errors[0].message


@pytest.mark.parametrize("edit", [
    _event(1, title="Something in May 1993"),
    _event(1, description="Weeks after the accord of 23 October 1991."),  # a day outside the event's dates
    _event(1, date="1993-05", date_part="late", title="After 3 May"),      # not in late May
    _event(0, title="Town falls on 23 October"),                           # the date has the day
])
def test_days_that_are_not_the_events_own_are_allowed(make_dataset, edit):
    assert not _errors(make_dataset(edit))


def test_stated_days_reads_both_orders_and_skips_impossible_days():
    found = stated_days("on 25 April, April 19, 1994, 31 February, April 1994", [1994])
    assert [(p, d.isoformat()) for p, d in found] == [("25 April", "1994-04-25"), ("April 19, 1994", "1994-04-19")]
