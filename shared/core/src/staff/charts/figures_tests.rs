use super::*;
use time::macros::date;

fn counters(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn usd(amount: i64) -> BTreeMap<String, i64> {
    BTreeMap::from([("USD".to_string(), amount)])
}

#[test]
fn months_run_back_over_the_year_end() {
    assert_eq!(
        months_to(date!(2028 - 02 - 29), 4),
        ["2027-11", "2027-12", "2028-01", "2028-02"]
    );
    assert_eq!(months_to(date!(2028 - 01 - 31), 1), ["2028-01"]);
}

#[test]
fn recurring_revenue_goes_back_through_each_months_moves() {
    let moves = Moves::read(&counters(&[
        ("months:2028-01:mrr:USD", 499),
        ("months:2028-01:services:started", 1),
        ("months:2028-02:mrr:USD", 998),
        ("months:2028-02:mrr:EUR", 300),
        ("months:2028-03:mrr:USD", -499),
        ("months:2028-03:services:ended", 1),
    ]));
    let now = BTreeMap::from([("USD".to_string(), 998), ("EUR".to_string(), 300)]);
    let months = months_to(date!(2028 - 03 - 01), 4);
    let shown = recurring(&months, &now, &moves);
    let at = |i: usize, c: &str| shown[i].amounts.get(c).copied().unwrap_or(0);
    assert_eq!(shown[0].month, "2027-12");
    assert_eq!(
        (at(0, "USD"), at(0, "EUR")),
        (0, 0),
        "before anything started"
    );
    assert_eq!((at(1, "USD"), at(1, "EUR")), (499, 0), "the end of January");
    assert_eq!(
        (at(2, "USD"), at(2, "EUR")),
        (1497, 300),
        "the end of February"
    );
    assert_eq!((at(3, "USD"), at(3, "EUR")), (998, 300), "now");
}

#[test]
fn churn_is_the_months_ends_over_those_live_at_its_start() {
    let moves = Moves::read(&counters(&[
        ("months:2028-01:services:started", 1),
        ("months:2028-02:services:started", 2),
        ("months:2028-03:services:ended", 1),
        ("months:2028-03:services:started", 1),
        ("services:live:shared", 9),
    ]));
    let shown = churn(&months_to(date!(2028 - 03 - 15), 3), 3, &moves);
    let rows: Vec<(&str, i64, i64)> = shown
        .iter()
        .map(|c| (c.month.as_str(), c.live_at_start, c.ended))
        .collect();
    assert_eq!(
        rows,
        [("2028-01", 0, 0), ("2028-02", 1, 0), ("2028-03", 3, 1)]
    );
}

#[test]
fn moves_after_the_newest_month_are_taken_back_first() {
    let moves = Moves::read(&counters(&[
        ("months:2028-04:mrr:USD", 100),
        ("months:2028-04:services:started", 1),
    ]));
    let months = months_to(date!(2028 - 03 - 01), 1);
    assert_eq!(recurring(&months, &usd(600), &moves)[0].amounts, usd(500));
    assert_eq!(churn(&months, 5, &moves)[0].live_at_start, 4);
}

#[test]
fn renewals_fall_in_windows_of_days_from_today() {
    let today = date!(2028 - 01 - 31);
    let service = |due: &str, price: i64| Renewal {
        due: due.into(),
        currency: "USD".into(),
        price,
    };
    let due = [
        service("2028-01-31", 100),
        service("2028-03-01", 200), // 30 days on: February 2028 has 29
        service("2028-03-02", 400),
        service("2028-03-31", 800), // 60 days
        service("2028-04-01", 1600),
        service("2028-04-30", 3200), // 90 days
        service("2028-05-01", 6400),
    ];
    let windows = renewals(today, &due);
    let rows: Vec<(i64, i64, i64)> = windows
        .iter()
        .map(|w| (w.from_day, w.services, w.amounts["USD"]))
        .collect();
    assert_eq!(rows, [(0, 2, 300), (31, 2, 1200), (61, 2, 4800)]);
}
