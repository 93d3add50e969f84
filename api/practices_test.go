package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// completePractice is a good practice create body that passes the submit
// guard, located in the partner's country and region.
func completePractice(partnerID, country, nuts2 string) map[string]any {
	return map[string]any{
		"partner_id": partnerID, "title": "Mesterség és tanonc: kézműves mentorálás",
		"location": map[string]any{"country": country, "nuts2": nuts2, "city": "Budapest"},
		"summary":  "Masters take apprentices for a year.", "description": "Twelve workshops, one or two apprentices each.",
		"resources_needed": "€45 000 a year", "timescale": "Since 2012", "evidence_of_success": "64 apprentices certified",
		"potential_for_learning": "Any region with a heritage site", "main_institution": "Szentendrei Skanzen",
	}
}

// draftPractice is a complete good practice of the consortium's partner, in draft.
func draftPractice(e *testEnv, c consortium) string {
	var g workflow.GoodPractice
	e.create("/api/v1/projects/"+c.project.ID+"/good-practices", e.admin, completePractice(c.partner.ID, "HU", "HU11"), &g)
	return g.ID
}

// foreignPractice is a submitted good practice of the Irish peer, in its
// own region: from the stakeholder group's point of view, another region.
func foreignPractice(e *testEnv, c consortium) string {
	var g workflow.GoodPractice
	e.create("/api/v1/projects/"+c.project.ID+"/good-practices", e.admin, completePractice(c.peers[0].ID, "IE", "IE05"), &g)
	e.fire("good-practices", g.ID, e.admin, "submit", 1, 200)
	return g.ID
}

func submittedPractice(e *testEnv, c consortium) string {
	id := draftPractice(e, c)
	e.fire("good-practices", id, e.admin, "submit", 1, 200)
	return id
}

// pngImage is a real PNG of w×h pixels; noisy, so that it does not
// compress to nothing.
func pngImage(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x := uint32(1)
	for i := range img.Pix {
		x = x*1103515245 + 12345
		img.Pix[i] = byte(x >> 16)
	}
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// practiceWithImage is a draft good practice with one image; it returns
// the image's path.
func practiceWithImage(e *testEnv, c consortium) string {
	id := draftPractice(e, c)
	var img workflow.PracticeImage
	res := e.do(req{Method: "POST", Path: "/api/v1/good-practices/" + id + "/images", Token: e.admin, Raw: pngImage(e.t, 8, 8)})
	require.Equal(e.t, http.StatusCreated, res.Status, "%s", res.Body)
	res.json(e.t, &img)
	return "/api/v1/good-practices/" + id + "/images/" + img.ID
}

// The good practice rows of the role × endpoint matrix (auth_test.go).
// Partners own their practices; stakeholders see every practice past
// draft; a group's members (and the coordinator) record its interest.
func init() {
	submitted := func(path string) func(e *testEnv, c consortium) (string, any, map[string]string) {
		return on(path, submittedPractice, nil, nil)
	}
	matrix = append(matrix,
		endpoint{"POST", "/api/v1/projects/{pid}/good-practices", func(_ *testEnv, c consortium) any {
			return completePractice(c.partner.ID, "HU", "HU11")
		}, []int{401, 401, 201, 201, 201, 403, 403, 403, 404, 404}, nil},
		endpoint{"GET", "/api/v1/projects/{pid}/good-practices", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
		endpoint{"GET", "/api/v1/good-practices/{id}", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}")},
		endpoint{"PATCH", "/api/v1/good-practices/{id}", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/good-practices/{id}", draftPractice, map[string]any{"timescale": "2012–2020"}, ifMatch1)},
		endpoint{"DELETE", "/api/v1/good-practices/{id}", nil,
			[]int{401, 401, 204, 204, 204, 404, 403, 403, 404, 404}, on("/api/v1/good-practices/{id}", draftPractice, nil, ifMatch1)},
		endpoint{"GET", "/api/v1/good-practices/{id}/transitions", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/good-practices/{id}/transitions", draftPractice, nil, nil)},
		endpoint{"POST", "/api/v1/good-practices/{id}/transitions", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/good-practices/{id}/transitions", draftPractice, map[string]any{"trigger": "submit"}, ifMatch1)},
		endpoint{"GET", "/api/v1/good-practices/{id}/history", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}/history")},
		endpoint{"GET", "/api/v1/good-practices/{id}/revisions/{n}", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}/revisions/{n}")},
		endpoint{"GET", "/api/v1/good-practices/{id}/revisions/{n}/diff", nil,
			[]int{401, 401, 422, 422, 422, 422, 422, 422, 404, 404}, submitted("/api/v1/good-practices/{id}/revisions/{n}/diff")},
		endpoint{"POST", "/api/v1/good-practices/{id}/documents", nil,
			[]int{401, 401, 202, 202, 202, 202, 202, 202, 404, 404}, on("/api/v1/good-practices/{id}/documents", submittedPractice, map[string]any{"format": "docx"}, nil)},
		endpoint{"GET", "/api/v1/good-practices/{id}/documents", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}/documents")},
		endpoint{"POST", "/api/v1/good-practices/{id}/comments", nil,
			[]int{401, 401, 201, 201, 201, 201, 201, 403, 404, 404}, on("/api/v1/good-practices/{id}/comments", submittedPractice, map[string]any{"body": "Átvehető nálunk", "section": "potential_for_learning"}, nil)},
		endpoint{"GET", "/api/v1/good-practices/{id}/comments", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}/comments")},
		endpoint{"GET", "/api/v1/good-practices/{id}/consultation", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, submitted("/api/v1/good-practices/{id}/consultation")},
		endpoint{"POST", "/api/v1/good-practices/{id}/consultation/close", nil,
			[]int{401, 401, 200, 200, 200, 403, 403, 403, 404, 404}, submitted("/api/v1/good-practices/{id}/consultation/close")},
		endpoint{"POST", "/api/v1/good-practices/{id}/images", nil,
			[]int{401, 401, 201, 201, 201, 404, 403, 403, 404, 404},
			func(e *testEnv, c consortium) (string, any, map[string]string) {
				return "/api/v1/good-practices/" + draftPractice(e, c) + "/images", pngImage(e.t, 4, 4), nil
			}},
		endpoint{"GET", "/api/v1/good-practices/{id}/images/{image}", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404},
			func(e *testEnv, c consortium) (string, any, map[string]string) {
				return practiceWithImage(e, c), nil, nil
			}},
		endpoint{"DELETE", "/api/v1/good-practices/{id}/images/{image}", nil,
			[]int{401, 401, 204, 204, 204, 404, 403, 403, 404, 404},
			func(e *testEnv, c consortium) (string, any, map[string]string) {
				return practiceWithImage(e, c), nil, nil
			}},
		endpoint{"POST", "/api/v1/good-practices/{id}/transfer-interests", nil,
			[]int{401, 401, 201, 201, 403, 201, 403, 403, 404, 404},
			func(e *testEnv, c consortium) (string, any, map[string]string) {
				return "/api/v1/good-practices/" + foreignPractice(e, c) + "/transfer-interests",
					map[string]any{"group_id": c.group.ID, "note": "Érdekel minket"}, nil
			}},
	)
}

func TestGoodPracticeInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("GPIN")
		base := "/api/v1/projects/" + c.project.ID + "/good-practices"
		for name, tc := range map[string]struct {
			change func(m map[string]any)
			field  string
		}{
			"title of 101 characters": {func(m map[string]any) { m["title"] = strings.Repeat("á", 101) }, "title"},
			"unknown country":         {func(m map[string]any) { m["location"] = map[string]any{"country": "XX"} }, "location.country"},
			"language not a code":     {func(m map[string]any) { m["language"] = "magyar" }, "language"},
			"NUTS2 of bad format":     {func(m map[string]any) { m["location"] = map[string]any{"country": "HU", "nuts2": "HU1"} }, "location.nuts2"},
			"NUTS2 of another country": {func(m map[string]any) {
				m["location"] = map[string]any{"country": "HU", "nuts2": "BG32"}
			}, "location.nuts2"},
		} {
			t.Run(name, func(t *testing.T) {
				body := completePractice(c.partner.ID, "HU", "HU11")
				tc.change(body)
				res := e.do(req{Method: "POST", Path: base, Token: e.admin, Body: body})
				require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
				p := res.problem(t)
				var fields []string
				for _, f := range p.Errors {
					fields = append(fields, f.Field)
				}
				require.Contains(t, fields, tc.field)
			})
		}

		// 100 characters is the limit, not past it; Greek regions use EL.
		body := completePractice(c.partner.ID, "GR", "EL30")
		body["title"] = strings.Repeat("ő", 100)
		e.create(base, e.admin, body, nil)

		// A draft may be incomplete; submitting it lists what is missing.
		var g workflow.GoodPractice
		e.create(base, c.tokens["partner"], map[string]any{"partner_id": c.partner.ID, "title": "Vázlat"}, &g)
		res := e.fire("good-practices", g.ID, c.tokens["partner"], "submit", 1, 422)
		require.Contains(t, string(res.Body), "evidence_of_success")
		require.Contains(t, string(res.Body), "location.nuts2")
	})
}

func TestGoodPracticeLifecycleAndTrace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("GPLC")
		owner, coord, stake := c.tokens["partner"], c.tokens["coordinator"], c.tokens["stakeholder"]
		var g workflow.GoodPractice
		e.create("/api/v1/projects/"+c.project.ID+"/good-practices", owner, completePractice(c.partner.ID, "HU", "HU11"), &g)
		path := "/api/v1/good-practices/" + g.ID

		// The stakeholder does not see a draft; once submitted it does, and comments.
		require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: path, Token: stake}).Status)
		e.fire("good-practices", g.ID, owner, "submit", 1, 200)
		e.create(path+"/comments", stake, map[string]any{"body": "Mi is átvennénk", "section": "potential_for_learning"}, nil)
		res := e.do(req{Method: "POST", Path: path + "/comments", Token: stake, Body: map[string]any{"body": "x", "section": "part3.action.1"}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "an action plan's section is not a good practice's")

		// Validation is the coordinator's: not the owner's, and not before the
		// comments are answered and the consultation is over.
		require.Equal(t, http.StatusOK, e.do(req{Method: "POST", Path: path + "/consultation/close", Token: owner}).Status)
		e.fire("good-practices", g.ID, owner, "approve", 2, 403)
		res = e.fire("good-practices", g.ID, coord, "approve", 2, 422)
		require.Contains(t, string(res.Body), "comments")

		// Interest from the group whose instrument the owner addresses: its own region.
		res = e.do(req{Method: "POST", Path: path + "/transfer-interests", Token: stake, Body: map[string]any{"note": "Nálunk is"}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		require.Equal(t, "group_id", res.problem(t).Errors[0].Field)

		// Another partner's practice located in the group's NUTS2 region is its own region too.
		var local workflow.GoodPractice
		e.create("/api/v1/projects/"+c.project.ID+"/good-practices", e.admin, completePractice(c.peers[1].ID, "HU", "HU11"), &local)
		e.fire("good-practices", local.ID, e.admin, "submit", 1, 200)
		res = e.do(req{Method: "POST", Path: "/api/v1/good-practices/" + local.ID + "/transfer-interests", Token: stake, Body: map[string]any{}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)

		// From another region: recorded once, and shown on GET with the trace.
		foreign := foreignPractice(e, c)
		var ti workflow.TransferInterest
		e.create("/api/v1/good-practices/"+foreign+"/transfer-interests", stake, map[string]any{"note": "Для нашия регион"}, &ti)
		require.Equal(t, c.group.ID, ti.GroupID, "a stakeholder's own group by default")
		res = e.do(req{Method: "POST", Path: "/api/v1/good-practices/" + foreign + "/transfer-interests", Token: coord, Body: map[string]any{"group_id": c.group.ID}})
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		// A partner cannot speak for a group.
		res = e.do(req{Method: "POST", Path: "/api/v1/good-practices/" + foreign + "/transfer-interests", Token: owner, Body: map[string]any{"group_id": c.group.ID}})
		require.Equal(t, http.StatusForbidden, res.Status)

		var view struct {
			workflow.GoodPractice
			Trace workflow.PracticeTrace `json:"trace"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + foreign, Token: stake}).json(t, &view)
		require.Len(t, view.Trace.Interests, 1)
		require.Equal(t, "Для нашия регион", view.Trace.Interests[0].Note)
		require.NotNil(t, view.Trace.PresentedAt)
		require.NotNil(t, view.Trace.CitedBy)
		require.Equal(t, "IE05", view.Location.NUTS2)

		// The frozen revision carries the form, and the sheet is assembled from it.
		var rev struct {
			Snapshot map[string]any `json:"snapshot"`
		}
		e.do(req{Method: "GET", Path: path + "/revisions/1", Token: coord}).json(t, &rev)
		require.Equal(t, "good_practice", rev.Snapshot["kind"])
		require.Equal(t, "HU11", rev.Snapshot["content"].(map[string]any)["location"].(map[string]any)["nuts2"])
		res = e.do(req{Method: "POST", Path: path + "/documents", Token: coord, Body: map[string]any{"format": "pdf"}})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"template":"good_practice"`)
	})
}

// TestGoodPracticeImages runs on a folder and on MinIO: refused uploads
// leave nothing behind in either, and deletes remove the bytes.
func TestGoodPracticeImages(t *testing.T) {
	forEachBlobBackend(t, 4096, testGoodPracticeImages)
}

func testGoodPracticeImages(t *testing.T, e *testEnv, b blobBackend) {
	c := e.consortium("GPIMG")
	id := draftPractice(e, c)
	path := "/api/v1/good-practices/" + id + "/images"
	before := b.list(t)

	// Not images, whatever Content-Type says: refused, nothing stored.
	for name, body := range map[string][]byte{
		"text":       []byte("this is not an image at all"),
		"pdf":        []byte("%PDF-1.7\n1 0 obj\n"),
		"svg script": []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
	} {
		res := e.do(req{Method: "POST", Path: path, Token: e.admin, Raw: body, Headers: map[string]string{"Content-Type": "image/png"}})
		require.Equal(t, http.StatusUnsupportedMediaType, res.Status, "%s: %s", name, res.Body)
	}
	res := e.do(req{Method: "POST", Path: path, Token: e.admin, Raw: []byte{}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)

	// Too large: announced by Content-Length, or found while streaming.
	big := pngImage(t, 64, 64)
	require.Greater(t, len(big), 4096)
	res = e.do(req{Method: "POST", Path: path, Token: e.admin, Raw: big})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "%s", res.Body)
	hr, err := http.NewRequest("POST", e.url+path, io.MultiReader(bytes.NewReader(big))) // no length: chunked
	require.NoError(t, err)
	hr.Header.Set("Authorization", "Bearer "+e.admin)
	hres, err := http.DefaultClient.Do(hr)
	require.NoError(t, err)
	hres.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, hres.StatusCode)
	require.Equal(t, before, b.list(t), "a refused image leaves nothing behind")
	var g workflow.GoodPractice
	e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + id, Token: e.admin}).json(t, &g)
	require.Empty(t, g.Images)
	require.Equal(t, 1, g.Version, "nor does it change the practice")

	// A real image: kept with its sniffed type, listed on the practice, served back.
	small := pngImage(t, 8, 8)
	var img workflow.PracticeImage
	res = e.do(req{Method: "POST", Path: path + "?caption=" + "M%C5%B1hely", Token: e.admin, Raw: small, Headers: map[string]string{"Content-Type": "text/plain"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	res.json(t, &img)
	require.Equal(t, "image/png", img.ContentType)
	require.Equal(t, int64(len(small)), img.Size)
	require.Equal(t, "Műhely", img.Caption)
	e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + id, Token: e.admin}).json(t, &g)
	require.Len(t, g.Images, 1)
	require.Equal(t, img.ID, g.Images[0].ID)
	require.Equal(t, 2, g.Version)
	res = e.do(req{Method: "GET", Path: path + "/" + img.ID, Token: c.tokens["partner"]})
	if b.name == "s3" {
		require.Empty(t, res.Header.Get("Content-Disposition"), "shown in place")
		res = follow(t, res, nil)
		require.Empty(t, res.Header.Get("Content-Disposition"), "shown in place, not downloaded")
	}
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, small, res.Body)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))

	// A GIF and a JPEG header are taken too.
	gif := append([]byte("GIF89a"), make([]byte, 32)...)
	res = e.do(req{Method: "POST", Path: path, Token: e.admin, Raw: gif})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), `"content_type":"image/gif"`)

	// Removing an image removes its bytes.
	n := len(b.list(t))
	res = e.do(req{Method: "DELETE", Path: path + "/" + img.ID, Token: c.tokens["partner"]})
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	require.Less(t, len(b.list(t)), n)
	require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: path + "/" + img.ID, Token: e.admin}).Status)

	// Deleting a draft practice removes its images' bytes.
	other := draftPractice(e, c)
	res = e.do(req{Method: "POST", Path: "/api/v1/good-practices/" + other + "/images", Token: e.admin, Raw: small})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	n = len(b.list(t))
	res = e.do(req{Method: "DELETE", Path: "/api/v1/good-practices/" + other, Token: e.admin, Headers: map[string]string{"If-Match": `"2"`}})
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	require.Less(t, len(b.list(t)), n)

	// Once submitted, images no longer change.
	e.fire("good-practices", id, e.admin, "submit", 4, 200)
	res = e.do(req{Method: "POST", Path: path, Token: e.admin, Raw: small})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
}
