//! Queries: key ranges, both directions, pages and the sparse indexes.

use hostfront::store::{Index, Item, ItemExt, Query, SortKey, Table, TableError};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, sks};

conformance!(
    query_by_prefix_and_range_in_both_directions,
    query_pages_with_a_cursor_cover_everything_once,
    sparse_indexes_hold_only_items_with_their_keys,
);

async fn seed_partition(table: &dyn Table, partition: &str, n: usize) {
    for i in 0..n {
        let kind = if i % 2 == 0 { "INVOICE" } else { "ORDER" };
        let it = item(json!({"pk": partition, "sk": format!("{kind}#{i:03}"), "i": i}));
        table.put(it, None).await.unwrap();
    }
}

async fn query_by_prefix_and_range_in_both_directions(f: TableFixture) {
    seed_partition(f.table.as_ref(), "CUSTOMER#1", 10).await;
    seed_partition(f.table.as_ref(), "CUSTOMER#2", 4).await;
    let orders = f
        .table
        .query(Query::partition("CUSTOMER#1").sort(SortKey::BeginsWith("ORDER#".into())))
        .await
        .unwrap();
    assert_eq!(
        sks(&orders.items),
        [
            "ORDER#001",
            "ORDER#003",
            "ORDER#005",
            "ORDER#007",
            "ORDER#009"
        ]
    );
    assert!(orders.next.is_none());
    let newest = f
        .table
        .query(
            Query::partition("CUSTOMER#1")
                .sort(SortKey::BeginsWith("ORDER#".into()))
                .backward()
                .limit(2),
        )
        .await
        .unwrap();
    assert_eq!(sks(&newest.items), ["ORDER#009", "ORDER#007"]);
    assert!(newest.next.is_some());
    let range = Query::partition("CUSTOMER#1")
        .sort(SortKey::Between("INVOICE#002".into(), "INVOICE#006".into()));
    assert_eq!(
        sks(&f.table.query(range).await.unwrap().items),
        ["INVOICE#002", "INVOICE#004", "INVOICE#006"]
    );
    for (sort, expected) in [
        (SortKey::Lt("INVOICE#002".into()), vec!["INVOICE#000"]),
        (
            SortKey::Le("INVOICE#002".into()),
            vec!["INVOICE#000", "INVOICE#002"],
        ),
        (SortKey::Gt("ORDER#007".into()), vec!["ORDER#009"]),
        (
            SortKey::Ge("ORDER#007".into()),
            vec!["ORDER#007", "ORDER#009"],
        ),
        (SortKey::Eq("ORDER#003".into()), vec!["ORDER#003"]),
    ] {
        let page = f
            .table
            .query(Query::partition("CUSTOMER#1").sort(sort.clone()))
            .await
            .unwrap();
        assert_eq!(sks(&page.items), expected, "{sort:?}");
    }
    assert_eq!(
        f.table
            .query(Query::partition("CUSTOMER#2"))
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert!(
        f.table
            .query(Query::partition("CUSTOMER#3"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn collect_pages(table: &dyn Table, query: Query) -> (Vec<Item>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page = table.query(query.clone().after(cursor)).await.unwrap();
        assert!(page.items.len() <= query.limit.unwrap_or(usize::MAX));
        pages += 1;
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return (all, pages),
        }
    }
}

async fn query_pages_with_a_cursor_cover_everything_once(f: TableFixture) {
    seed_partition(f.table.as_ref(), "CUSTOMER#p", 25).await;
    let (forward, pages) =
        collect_pages(f.table.as_ref(), Query::partition("CUSTOMER#p").limit(7)).await;
    assert_eq!(
        pages, 4,
        "7 + 7 + 7 + 4: the last full page knows nothing follows"
    );
    let mut expected = sks(&forward);
    expected.sort();
    assert_eq!(sks(&forward), expected);
    assert_eq!(forward.len(), 25);
    let (backward, _) = collect_pages(
        f.table.as_ref(),
        Query::partition("CUSTOMER#p").backward().limit(10),
    )
    .await;
    expected.reverse();
    assert_eq!(sks(&backward), expected);
    let exact = f
        .table
        .query(Query::partition("CUSTOMER#p").limit(25))
        .await
        .unwrap();
    assert_eq!((exact.items.len(), exact.next.is_none()), (25, true));
    let bad = f
        .table
        .query(Query::partition("CUSTOMER#p").after(Some("not a cursor".into())))
        .await;
    assert!(matches!(bad, Err(TableError::Invalid(_))));
}

async fn sparse_indexes_hold_only_items_with_their_keys(f: TableFixture) {
    for i in 0..12 {
        let mut it = item(json!({"pk": format!("ORDER#{i:02}"), "sk": "ORDER", "i": i}));
        if i % 3 != 0 {
            // Several orders share one status timestamp: ties break by table key.
            it.insert("gsi1pk".into(), json!("STATUS#pending_review"));
            it.insert("gsi1sk".into(), json!(format!("2026-11-0{}", i % 4)));
        }
        if i % 4 == 0 {
            it.insert("gsi2pk".into(), json!("CUSTOMER#c1"));
            it.insert("gsi2sk".into(), json!(format!("ORDER#{i:02}")));
        }
        f.table.put(it, None).await.unwrap();
    }
    let review = Query::index(Index::Gsi1, "STATUS#pending_review");
    let all = f.table.query(review.clone()).await.unwrap().items;
    assert_eq!(all.len(), 8);
    let (paged, _) = collect_pages(f.table.as_ref(), review.clone().limit(3)).await;
    assert_eq!(
        paged, all,
        "pages over tied index keys return the same items in the same order"
    );
    let (paged_back, _) = collect_pages(f.table.as_ref(), review.backward().limit(3)).await;
    assert_eq!(paged_back.len(), 8);
    let dates: Vec<&str> = paged_back
        .iter()
        .map(|i| i.str_attr("gsi1sk").unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let by_customer = f
        .table
        .query(Query::index(Index::Gsi2, "CUSTOMER#c1"))
        .await
        .unwrap()
        .items;
    let ids: Vec<i64> = by_customer
        .iter()
        .map(|i| i.i64_attr("i").unwrap())
        .collect();
    assert_eq!(ids, [0, 4, 8]);
    let recent = Query::index(Index::Gsi2, "CUSTOMER#c1")
        .sort(SortKey::Ge("ORDER#04".into()))
        .backward();
    let ids: Vec<i64> = f
        .table
        .query(recent)
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.i64_attr("i").unwrap())
        .collect();
    assert_eq!(ids, [8, 4]);
}
