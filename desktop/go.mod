module github.com/pikadj/pika/desktop

go 1.26

require github.com/pikadj/pika/shared v0.0.0

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/dhowden/tag v0.0.0-20240417053706-3d75831295e8
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e // indirect
)

replace github.com/pikadj/pika/shared => ../shared
