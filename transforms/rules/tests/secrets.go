package fixture

import "fmt"

func clients() {
	// ruleid: go-secret-in-known-format
	awsKeyID := "AKIAI44QH8DHBEXAMPLE"
	// ruleid: go-secret-in-known-format
	dsn := "postgres://app:s3cr3tpw@db.internal:5432/app"
	// ok: go-secret-in-known-format
	template := "postgres://app:${DB_PASSWORD}@db.internal:5432/app"
	// ok: go-secret-in-known-format
	plain := "https://example.com/docs"
	fmt.Println(awsKeyID, dsn, template, plain)
}
