// A host page's token endpoint in Go: GET /signet-token answers the logged-in
// customer's Signet token, signed with golang-jwt. Run: SIGNET_KID=… SIGNET_SECRET=… go run main.go
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	// Debian's golang-github-golang-jwt-jwt-dev (v4) in GOPATH mode; in a module,
	// import "github.com/golang-jwt/jwt/v5": the same three calls below.
	"github.com/golang-jwt/jwt"
)

type customer struct{ ID, Name, Email string }

// In your app: the customer of the request's session, nil when logged out.
// This example has one customer, always logged in.
func loggedInCustomer(*http.Request) *customer {
	return &customer{ID: "customer-42", Name: "Ada Lovelace", Email: "ada@example.com"}
}

func signetToken(kid, secret string, c *customer) (string, error) {
	now := time.Now()
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"scope":          "user",
		"external_id":    c.ID,
		"name":           c.Name,
		"email":          c.Email,
		"email_verified": true, // only when your backend has verified it
		"iat":            now.Unix(),
		"exp":            now.Add(10 * time.Minute).Unix(),
	})
	token.Header["kid"] = kid
	// HS256, keyed by the secret string exactly as Signet showed it.
	return token.SignedString([]byte(secret))
}

func main() {
	kid, secret := os.Getenv("SIGNET_KID"), os.Getenv("SIGNET_SECRET")
	if kid == "" || secret == "" {
		fmt.Fprintln(os.Stderr, "Set SIGNET_KID and SIGNET_SECRET to a signing key from Signet (signet keys create).")
		os.Exit(1)
	}
	host, port := os.Getenv("HOST"), os.Getenv("PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3000"
	}

	http.HandleFunc("/signet-token", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		c := loggedInCustomer(r)
		if c == nil {
			http.Error(w, "", http.StatusUnauthorized)
			return
		}
		token, err := signetToken(kid, secret, c)
		if err != nil {
			http.Error(w, "", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, token)
	})

	listener, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr())
	log.Fatal(http.Serve(listener, nil))
}
