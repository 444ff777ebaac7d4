package store

// Page sizes of the list queries, and keyset pages (newest first, "before id" cursors): a
// query asks for one row more than the page, and the extra row says whether there is a next
// page.

// pageSize is limit, or def when it is not positive, at most max.
func pageSize(limit, def, max int) int {
	if limit <= 0 {
		limit = def
	}
	return min(limit, max)
}

// cutPage trims rows fetched with limit+1 to limit and returns the cursor of the next page:
// the last kept row's ID, or 0 when there is no next page.
func cutPage[T any](rows []T, limit int, id func(T) int64) ([]T, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	rows = rows[:limit]
	return rows, id(rows[limit-1])
}
