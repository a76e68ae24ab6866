use super::*;

const LIST: Listing = Listing {
    name: "things",
    sorts: &[Sort::Newest, Sort::Oldest],
    statuses: &["open", "paid"],
    kinds: &[],
    dates: true,
    search: true,
};

fn code(result: Result<Asked, ListingError>) -> &'static str {
    match result {
        Err(ListingError::Invalid { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn defaults_are_the_first_sort_and_fifty_items() {
    let asked = LIST.check(ListParams::default(), false).unwrap();
    assert_eq!(
        (asked.sort, asked.limit, asked.csv),
        (Sort::Newest, 50, false)
    );
}

#[test]
fn what_the_list_does_not_allow_is_refused_by_name() {
    let with = |f: fn(&mut ListParams)| {
        let mut params = ListParams::default();
        f(&mut params);
        LIST.check(params, false)
    };
    assert_eq!(code(with(|p| p.limit = Some(0))), "invalid_limit");
    assert_eq!(code(with(|p| p.limit = Some(101))), "invalid_limit");
    assert_eq!(code(with(|p| p.sort = Some(Sort::Az))), "invalid_sort");
    assert_eq!(
        code(with(|p| p.status = Some("gone".into()))),
        "invalid_status"
    );
    assert_eq!(code(with(|p| p.kind = Some("x".into()))), "invalid_kind");
    assert_eq!(
        code(with(|p| p.from = Some("2026-13-01".into()))),
        "invalid_date"
    );
    assert_eq!(
        code(with(|p| {
            p.from = Some("2026-02-02".into());
            p.to = Some("2026-02-01".into());
        })),
        "invalid_date"
    );
    let Err(ListingError::Invalid { message, .. }) = with(|p| p.sort = Some(Sort::Za)) else {
        panic!("refused")
    };
    assert_eq!(message, "sort: one of newest, oldest");
}

#[test]
fn a_day_range_covers_both_days_whole() {
    let params = ListParams {
        from: Some("2026-01-01".into()),
        to: Some("2026-01-01".into()),
        q: Some("  Ada ".into()),
        format: Some(Format::Csv),
        ..ListParams::default()
    };
    let asked = LIST.check(params, false).unwrap();
    assert_eq!(asked.from_ms, Some(1_767_225_600_000));
    assert_eq!(asked.to_ms, Some(1_767_225_600_000 + 86_399_999));
    assert_eq!(asked.q.as_deref(), Some("ada"));
    assert!(asked.csv);
    let range = asked.date_range(
        |ms, last| format!("{ms}{}", if last { "~" } else { "" }),
        SortKey::Any,
    );
    assert_eq!(
        range,
        SortKey::Between("1767225600000".into(), "1767311999999~".into())
    );
}

#[test]
fn a_list_without_dates_or_search_refuses_them() {
    let list = Listing {
        dates: false,
        search: false,
        ..LIST
    };
    let dated = ListParams {
        to: Some("2026-01-01".into()),
        ..ListParams::default()
    };
    assert_eq!(code(list.check(dated, false)), "invalid_date");
    let searched = ListParams {
        q: Some("x".into()),
        ..ListParams::default()
    };
    assert_eq!(code(list.check(searched, false)), "invalid_search");
}

#[test]
fn a_day_of_timed_items_is_a_range_of_their_times() {
    assert_eq!(time_key(0, false), "1970-01-01T00:00:00.000Z");
    assert_eq!(time_key(86_399_999, true), "1970-01-01T23:59:59.999Z#~");
}
