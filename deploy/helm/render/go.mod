module capig/helm-render

go 1.19
